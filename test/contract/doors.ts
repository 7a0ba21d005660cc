import type { DoorDriver } from './driver.js';
import { v1Driver } from './drivers/v1.js';
import { v2Driver } from './drivers/v2.js';

/** Every door the contract suite runs against: a new door adds its driver here. */
export const DOORS: DoorDriver[] = [v1Driver, v2Driver];

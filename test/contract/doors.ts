import type { DoorDriver } from './driver.js';
import { v1Driver } from './drivers/v1.js';
import { v2Driver } from './drivers/v2.js';
import { oauth2Driver } from './drivers/oauth2.js';
import { commonDriver } from './drivers/common.js';
import { graphqlDriver } from './drivers/graphql.js';

/** Every door the contract suite runs against: a new door adds its driver here. */
export const DOORS: DoorDriver[] = [v1Driver, v2Driver, oauth2Driver, commonDriver, graphqlDriver];

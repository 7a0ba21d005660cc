import { builder } from '../builder.js';

/** The root mutation type; its fields live in `fields/`. */
builder.mutationType({});

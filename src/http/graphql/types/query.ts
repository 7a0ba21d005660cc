import { builder } from '../builder.js';

/** The root query type; its fields live in `fields/`. */
builder.queryType({});

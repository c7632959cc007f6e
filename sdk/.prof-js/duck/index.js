export { arrowToDuckTable, appendArrowBatch, createTableFromArrow } from './arrow-to-duck.js';
export { queryArrow, readResultAsArrow } from './duck-to-arrow.js';
export { columnKindOf, planColumns, quoteIdent } from './column-types.js';

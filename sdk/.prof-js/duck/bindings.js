/**
 * The low-level DuckDB C API bindings that `@duckdb/node-api` is built on. Only this folder uses
 * them: they give the raw vector copies (`copy_data_to_vector`, `vector_get_data`) that move whole
 * Arrow column buffers in and out of DuckDB data chunks without a JS value per row.
 */
import bindings from '@duckdb/node-bindings';
export default bindings;

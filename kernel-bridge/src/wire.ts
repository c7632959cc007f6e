/** The wire format lives in the SDK (its Python filter host speaks it too); the bridge re-exports it. */
export {
  decodeMessage,
  encodeMessage,
  makeHeader,
  sign,
  type BridgeMessage,
  type DecodeResult,
  type Header,
  type JsonObject
} from '../../sdk/src/filter/python/frames.js';

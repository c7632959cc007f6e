/** Stream profiles: a public alert stream's brokers, security settings and format (profile.ts). */
export {
  SHIPPED_PROFILES_DIR,
  decoderSettings,
  listProfiles,
  loadProfile,
  parseProfile,
  profileDirs,
  type ProfileFormat,
  type ProfileFormatKind,
  type StreamProfile
} from './profile.js';
export {
  parseResetTo,
  profileClient,
  profileDecoder,
  profileGroupId,
  resumeGroupId
} from './connect.js';

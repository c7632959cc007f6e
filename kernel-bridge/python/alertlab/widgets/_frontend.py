"""Names that tie the Python widgets to their views in the ``@alertlab/extension`` bundle."""

MODULE_NAME = "@alertlab/extension"
# Wire-spec version of the models (extension/src/version.ts MODULE_VERSION), not the npm version.
MODULE_VERSION = "0.1.0"

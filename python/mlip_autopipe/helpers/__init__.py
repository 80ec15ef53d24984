"""The scripts the activities run by path (PYTHON_HELPERS_DIR in src/config/paths.ts)."""

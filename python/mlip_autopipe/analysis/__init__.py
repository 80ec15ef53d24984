"""Scripts that judge a published potential, run by the benches and tests (PYTHON_ANALYSIS_DIR in
src/config/paths.ts)."""

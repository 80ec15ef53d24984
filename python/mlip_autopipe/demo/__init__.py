"""The demo labellers, stand-ins for DFT (PYTHON_DEMO_DIR in src/config/paths.ts)."""

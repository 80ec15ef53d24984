"""Code the helpers, demo labellers and analysis scripts share; importable without side effects."""

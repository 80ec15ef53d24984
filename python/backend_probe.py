"""Which pacemaker evaluators and compute devices this Python environment offers; one JSON object on stdout.

{"pyace": {"available": bool, "version"?: str, "error"?: str},
 "tensorpot": {"available": bool, "tensorflow"?: str, "tensorpotential"?: str, "error"?: str,
               "devices": [{"type": "CPU" | "GPU", "name": str}]}}

The worker runs it once at start (TensorFlow takes seconds to import) and logs what it found, so that an
operator sees at a glance whether this host fits on a GPU, on CPU only, or cannot run tensorpot at all.

Usage: python backend_probe.py
"""
import contextlib
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not the report


def probe_pyace():
    try:
        import pyace

        return {"available": True, "version": getattr(pyace, "__version__", "unknown")}
    except Exception as err:  # noqa: BLE001 - any import failure means the evaluator is unusable here
        return {"available": False, "error": f"{type(err).__name__}: {err}"}


def probe_tensorpot():
    try:
        import tensorpotential  # first: it configures Keras before TensorFlow loads
        import tensorflow as tf

        devices = []
        for device in tf.config.list_physical_devices():
            if device.device_type not in ("CPU", "GPU"):
                continue
            name = device.name
            if device.device_type == "GPU":
                try:
                    name = tf.config.experimental.get_device_details(device).get("device_name", name)
                except Exception:  # noqa: BLE001 - the name is a nicety
                    pass
            devices.append({"type": device.device_type, "name": name})
        return {
            "available": True,
            "tensorflow": tf.__version__,
            "tensorpotential": getattr(tensorpotential, "__version__", "unknown"),
            "devices": devices,
        }
    except Exception as err:  # noqa: BLE001
        return {"available": False, "error": f"{type(err).__name__}: {err}", "devices": []}


# The packages print notices of their own on stdout: keep stdout for the report alone.
with contextlib.redirect_stdout(sys.stderr):
    report = {"pyace": probe_pyace(), "tensorpot": probe_tensorpot()}
print(json.dumps(report))

"""Which pacemaker evaluators and compute devices this Python environment offers; one JSON object on stdout.

{"pyace": {"available": bool, "version"?: str, "error"?: str},
 "tensorpot": {"available": bool, "tensorflow"?: str, "tensorpotential"?: str, "error"?: str,
               "devices": [{"type": "CPU" | "GPU", "name": str}]}}

The worker runs it once at start (TensorFlow takes seconds to import) and logs what it found, so that an
operator sees at a glance whether this host fits on a GPU, on CPU only, or cannot run tensorpot at all.

With --installed it answers, without importing anything, only whether the tensorpot evaluator's packages are
installed: {"tensorpot": {"available": bool, "error"?: str}} in a few milliseconds. A training that asks
for tensorpot is checked this way before its fit (the dry run itself runs on pyace: TensorFlow's import
is most of a dry run's time, and the dry run never evaluates anything).

With --fingerprint it prints {"fingerprint": str}, again without importing anything: what the full report
depends on (this interpreter, the modification times of its package directories, whether an NVIDIA driver
is present). A worker keeps the last report with its fingerprint and probes again only when it changed.

Usage: python backend_probe.py [--installed | --fingerprint]
"""
import contextlib
import importlib.util
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


def tensorpot_installed():
    for name in ("tensorpotential", "tensorflow"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a finder may refuse the name outright, as an import would
            found = False
        if not found:
            return {"available": False, "error": f"No module named '{name}'"}
    return {"available": True}


def environment_fingerprint():
    import hashlib
    import shutil
    import site

    parts = [sys.executable, sys.prefix, sys.version]
    for directory in [*site.getsitepackages(), site.getusersitepackages()]:
        # pip adds or removes a *.dist-info directory with every (un)install: the directory's mtime moves.
        parts.append(f"{directory}:{os.stat(directory).st_mtime_ns if os.path.isdir(directory) else '-'}")
    parts.append(f"nvidia-smi:{shutil.which('nvidia-smi') or '-'}; /dev/nvidiactl:{os.path.exists('/dev/nvidiactl')}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


if sys.argv[1:] == ["--fingerprint"]:
    print(json.dumps({"fingerprint": environment_fingerprint()}))
    sys.exit(0)

if sys.argv[1:] == ["--installed"]:
    print(json.dumps({"tensorpot": tensorpot_installed()}))
    sys.exit(0)

# The packages print notices of their own on stdout: keep stdout for the report alone.
with contextlib.redirect_stdout(sys.stderr):
    report = {"pyace": probe_pyace(), "tensorpot": probe_tensorpot()}
print(json.dumps(report))

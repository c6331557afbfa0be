"""Where the PP-OCR models run: onnxruntime (the default) or OpenVINO (optional).

Both take the same ONNX files from the ``rapidocr`` wheel and return the same arrays; a
``ModelRunner`` is what ``ppocr``'s detector and recogniser call. OpenVINO can run a model
in bfloat16 on CPUs with AVX-512 BF16 or AMX: the recogniser so
(``OcrSettings.rec_precision="bf16"``) takes about a quarter less OCR CPU on the 2-core
machine and now and then reads another character (README, "End-to-end speed"). In float32
OpenVINO reads what onnxruntime reads but was ~20 % slower here, and the detector in bf16
saved little and moved boxes, so both stay on onnxruntime otherwise.
Nothing here downloads anything: the model path is always given."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

Runtime = Literal["onnxruntime", "openvino"]
Precision = Literal["f32", "bf16"]


class ModelRunner(Protocol):
    """One model, one input: ``run`` is safe to call from several threads at once."""

    def run(self, x: np.ndarray) -> np.ndarray: ...

    def metadata(self, key: str) -> str | None: ...


def open_runner(
    model: Path,
    *,
    threads: int,
    runtime: Runtime = "onnxruntime",
    precision: Precision = "f32",
    spin_wait: bool = False,
) -> ModelRunner:
    if runtime == "openvino":
        return OpenVinoRunner(model, threads=threads, precision=precision)
    if precision != "f32":
        raise ValueError("onnxruntime runs the OCR models in f32 only; bf16 needs openvino")
    return OnnxRunner(model, threads=threads, spin_wait=spin_wait)


def open_session(model: Path, threads: int, *, spin_wait: bool = False) -> Any:
    """An onnxruntime session with the thread settings receiptflow measured."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    # Spinning workers wait for the next operator at 100 % CPU: quickest on an idle machine,
    # but on cores shared with other busy processes it steals the time the real work needs.
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin_wait else "0")
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


class OnnxRunner:
    def __init__(self, model: Path, *, threads: int, spin_wait: bool = False) -> None:
        self.session = open_session(model, threads, spin_wait=spin_wait)
        self._input = self.session.get_inputs()[0].name

    def run(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {self._input: x})[0])

    def metadata(self, key: str) -> str | None:
        value = self.session.get_modelmeta().custom_metadata_map.get(key)
        return None if value is None else str(value)


class OpenVinoRunner:
    """An OpenVINO CPU model with one infer request, one call at a time: two requests of one
    compiled model called from two threads ran one after the other anyway, and once (in a
    20-scan eval) both threads hung in the input copy. Give it more ``threads`` instead."""

    def __init__(self, model: Path, *, threads: int, precision: Precision = "f32") -> None:
        try:
            import openvino as ov
        except ImportError as exc:
            raise ImportError(
                "the openvino OCR runtime needs the openvino package: "
                "pip install 'receiptflow[openvino]'"
            ) from exc
        core = ov.Core()
        self._model = core.read_model(str(model))
        config = {
            "INFERENCE_NUM_THREADS": max(1, threads),
            "INFERENCE_PRECISION_HINT": precision,
            "PERFORMANCE_HINT": "LATENCY",
            # Kernels compiled per input shape are kept in an LRU cache (5000 by default);
            # recognition batches come in many widths, and the full cache took peak memory
            # from 1.1 to 1.45 GB over 20 SROIE scans for no measurable speed.
            "CPU_RUNTIME_CACHE_CAPACITY": 20,
        }
        self._request = core.compile_model(self._model, "CPU", config).create_infer_request()
        self._lock = threading.Lock()

    def run(self, x: np.ndarray) -> np.ndarray:
        with self._lock:
            # copy: the request reuses its output buffer on the next call
            return np.array(self._request.infer({0: x})[0], copy=True)

    def metadata(self, key: str) -> str | None:
        # ONNX metadata_props arrive under the model's "framework" runtime info
        if not self._model.has_rt_info(["framework", key]):
            return None
        return str(self._model.get_rt_info(["framework", key]).astype(str))

"""The ONNX export: a sentence-transformers checkpoint -> an ONNX Runtime model, once.

``export_onnx`` exports the transformer with ``torch.onnx.export`` (eager attention,
which ONNX Runtime's transformer optimizer fuses), optimizes it, quantizes its MatMuls
to int8 when asked, and installs the result with the tokenizer and pooling
configuration into a cache folder named by ``model_fingerprint``, atomically.  Needs
PyTorch and transformers; ``embed.OnnxEncoder`` runs the result without either.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .errors import ModelLoadError

log = logging.getLogger("newsgist.embed")

# Bump when the export or quantization recipe changes: old cache entries are ignored.
EXPORT_RECIPE = "2"


def read_json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def model_fingerprint(path: str, quantize: bool) -> str:
    """Changes whenever the checkpoint, the recipe or the runtime's major version does."""
    import onnxruntime

    h = hashlib.sha256(f"{EXPORT_RECIPE}|{quantize}|ort{onnxruntime.__version__.split('.')[0]}"
                       .encode())
    root = Path(path)
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
                 "1_Pooling/config.json", "model.safetensors", "pytorch_model.bin"):
        f = root / name
        if f.exists():
            st = f.stat()
            h.update(f"{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def model_pooling(model_dir: Path) -> tuple[str, int]:
    """(pooling mode, max tokens) from the model's sentence-transformers config."""
    modules = read_json(model_dir / "modules.json") or []
    mode = "mean"
    for module in modules:
        if module.get("type", "").endswith("Pooling"):
            cfg = read_json(model_dir / module.get("path", "") / "config.json") or {}
            if cfg.get("pooling_mode") in ("mean", "cls"):
                mode = cfg["pooling_mode"]
            elif cfg.get("pooling_mode_cls_token"):
                mode = "cls"
            elif cfg.get("pooling_mode_mean_tokens", True):
                mode = "mean"
            else:
                raise ModelLoadError(f"Unsupported pooling in {model_dir} for the ONNX backend; "
                                     "set NEWSGIST_BACKEND=torch.")
    st_cfg = read_json(model_dir / "sentence_bert_config.json") or {}
    return mode, int(st_cfg.get("max_seq_length") or 256)


def export_onnx(model_path: str, target: Path, quantize: bool) -> Path:
    """Export the checkpoint to ONNX (and quantize to int8) into ``target``, atomically.

    Needs PyTorch and transformers; runs once per model, recipe and cache."""
    import torch

    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-", dir=target.parent))
    try:
        st_model = _load_checkpoint(model_path)
        transformer = st_model[0].auto_model.eval()
        uses_types = "token_type_ids" in getattr(st_model.tokenizer, "model_input_names", [])
        exported = _export_graph(transformer, uses_types, work / "exported.onnx")
        final = _optimize(exported, work / "model.onnx", transformer.config)
        if quantize:
            final = _quantize(final, work / "model_int8.onnx")
        _copy_model_files(model_path, st_model, work)
        (work / "newsgist-export.json").write_text(json.dumps({
            "source": model_path, "file": final.name, "quantized": quantize,
            "recipe": EXPORT_RECIPE, "torch": torch.__version__,
            "seconds": round(time.perf_counter() - started, 1)}, indent=1))
        _install(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log.info("exported %s to ONNX%s in %.1f s: %s", model_path, " int8" if quantize else "",
             time.perf_counter() - started, target)
    return target


def _load_checkpoint(model_path: str):
    from sentence_transformers import SentenceTransformer

    # Eager attention exports as plain MatMul/Softmax, which ONNX Runtime's
    # transformer optimizer fuses into its Attention kernels (SDPA does not fuse).
    try:
        return SentenceTransformer(model_path, device="cpu",
                                   model_kwargs={"attn_implementation": "eager"})
    except (TypeError, ValueError):
        return SentenceTransformer(model_path, device="cpu")


def _export_graph(transformer, uses_types: bool, exported: Path) -> Path:
    """The transformer's graph (input ids, mask[, token types] -> last hidden state)."""
    import warnings

    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                kwargs["token_type_ids"] = token_type_ids
            return self.inner(**kwargs).last_hidden_state

    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if uses_types else [])
    dummy = tuple(torch.ones((2, 8), dtype=torch.long) if n != "token_type_ids"
                  else torch.zeros((2, 8), dtype=torch.long) for n in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in names + ["last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript exporter: no onnxscript dependency, dynamic batch and length.
        torch.onnx.export(Wrapped(transformer), dummy, str(exported), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, do_constant_folding=True, dynamo=False)
    return exported


def _optimize(exported: Path, fp32: Path, config) -> Path:
    """ONNX Runtime's transformer optimizer (fused attention, LayerNorm, GELU) when it
    knows the architecture; the graph as exported otherwise."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        optimized = optimize_model(str(exported), model_type="bert",
                                   num_heads=int(getattr(config, "num_attention_heads", 0)),
                                   hidden_size=int(getattr(config, "hidden_size", 0)))
        optimized.save_model_to_file(str(fp32))
        exported.unlink()
    except Exception as exc:  # an architecture the optimizer does not know: unfused
        log.info("ONNX Runtime's transformer optimizer skipped: %s", exc)
        os.replace(exported, fp32)
    return fp32


def _quantize(fp32: Path, int8: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Dynamic int8: weights signed 8-bit per output channel, activations scaled
    # per call.  MatMul only: the embedding table, LayerNorms and the fused
    # attention stay float (measured: per-channel MatMul-only agrees best with
    # fp32 and is the fastest of the variants tried on this AVX2 machine).
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"], per_channel=True,
                     extra_options={"DefaultTensorType": 1})
    fp32.unlink()
    return int8


def _copy_model_files(model_path: str, st_model, work: Path) -> None:
    """The tokenizer and the sentence-transformers configuration (pooling) beside the model."""
    st_model.tokenizer.save_pretrained(str(work / "tokenizer"))
    for name in ("tokenizer.json", "modules.json", "sentence_bert_config.json"):
        src = Path(model_path) / name
        if src.exists():
            shutil.copy2(src, work / name)
    pooling_dir = Path(model_path) / "1_Pooling"
    if pooling_dir.exists():
        shutil.copytree(pooling_dir, work / "1_Pooling")


def _install(work: Path, target: Path) -> None:
    try:
        os.replace(work, target)   # atomic: a concurrent exporter's copy is as good
    except OSError:
        if not target.exists():
            raise
        shutil.rmtree(work, ignore_errors=True)

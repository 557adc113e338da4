"""scripts/fit_coverage.py: the parts that run without CUAD and scikit-learn (evaluating a fitted file)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from knowledge.coverage import FEATURES

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fit_coverage.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fit_coverage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _model(embedder: str, floor: float, threshold: float) -> dict[str, object]:
    """A model that reads only the best similarity: covered from 0.5 above its mean."""
    n = len(FEATURES)
    coef = [10.0 if name == "similarity" else 0.0 for name in FEATURES]
    mean = [floor + 0.05 if name == "similarity" else 0.0 for name in FEATURES]
    return {
        "features": list(FEATURES),
        "mean": mean,
        "scale": [0.01] * n,
        "coef": coef,
        "intercept": 0.0,
        "threshold": threshold,
        "embedder": embedder,
        "similarity_floor": floor,
        "unknown_similarity": floor + 0.2,
    }


def test_the_dev_set_is_judged_by_the_fitted_embedders_model_not_the_files_first(tmp_path: Path) -> None:
    fit = _script()
    path = tmp_path / "coverage.json"
    # MiniLM's comes first in the shipped file; its floor (0.2) would call every e5 similarity covered
    path.write_text(json.dumps({"models": [_model("minilm", 0.20, 0.5), _model("e5", 0.80, 0.5)]}), encoding="utf-8")
    values = dict.fromkeys(FEATURES, 0.0) | {"known": 1.0}
    rows = [
        {"covered": True, "features": values | {"similarity": 0.90}},
        {"covered": False, "features": values | {"similarity": 0.84}},  # under e5's mean: the model says no
        {"covered": False, "features": None},  # nothing retrieved: not found
    ]
    e5 = fit.evaluate(rows, path, None, "e5")
    assert e5 == {"false_not_found": 0.0, "true_not_found": 1.0, "covered": 1, "uncovered": 2, "auc": 1.0}
    minilm = fit.evaluate(rows, path, None, "minilm")
    assert minilm["true_not_found"] == 0.5  # on MiniLM's scale 0.84 is very close: covered


def test_a_refit_replaces_only_its_own_embedders_model(tmp_path: Path) -> None:
    fit = _script()
    path = tmp_path / "coverage.json"
    fit.write_model(path, _model("e5", 0.80, 0.1))
    fit.write_model(path, _model("minilm", 0.20, 0.1))
    fit.write_model(path, _model("e5", 0.80, 0.2))
    models = json.loads(path.read_text(encoding="utf-8"))["models"]
    assert [(m["embedder"], m["threshold"]) for m in models] == [("minilm", 0.1), ("e5", 0.2)]


def test_a_category_question_is_pointed_at_one_contract_by_its_title() -> None:
    fit = _script()
    asked = fit.naming("What is the governing law for this contract?", "SERVICES  AGREEMENT")
    assert asked == "What is the governing law for the services agreement?"
    title = "Transportation Service Agreement Contract Identification FT18150 Rate Schedule FTS"
    asked = fit.naming("What is the renewal term?", title)  # no "this contract": the name goes at the end
    assert asked == "What is the renewal term in the transportation service agreement contract identification ft18150?"

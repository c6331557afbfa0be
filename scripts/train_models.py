"""Train the models shipped in receiptflow/learned/data, reproducibly, and score them across
datasets.

    .venv/bin/python scripts/train_models.py [--data ../shared/datasets] [--ocr-cache .cache/ocr]
        [--synthetic-count 1000] [--only roles|trust] [--exclude DATASET] [--out DIR]

1. The line-role classifier (row_roles.json): rows of WildReceipt photos and SROIE scans (our
   own OCR, cached under --ocr-cache; the first run OCRs the 438 images, ~10 min on two
   cores), SROIE ground-truth lines, CORD, and synthetic receipts in ten locales (drawn by
   `receiptflow samples generate --count N --seed 20261206 --damage-share 0.25` into the cache
   and OCRed like the photos: ~15 min the first time for 1000). Cross-dataset scores (fit
   without a dataset, test on it) are printed and kept in the model file.
2. The calibrator of the local extractor (trust_local.json), fitted on the extractor's answers
   with the new classifier in place, so retraining both is this one command. Cross-fitted:
   each receipt is read with a classifier refitted without it (5 parts), as a user's
   receipt is read by a classifier that never saw it; readings by the final classifier on
   its own training receipts are surer and more often right, and a calibrator fitted on
   them lets wrong receipts of new kinds through.

--fold K/N leaves out fold K of N of every dataset (by a hash of the receipt ids; `receiptflow
eval --fold K/N` scores exactly those): `bench/heldout.py folds` runs all folds, which estimates new
receipts of the kinds trained on (the held-out halves of WildReceipt and SROIE).
--exclude wildreceipt|sroie|cord|synthetic trains both without that dataset (written to --out,
not over the bundled files): with RECEIPTFLOW_LOCAL__ROLE_MODEL and RECEIPTFLOW_LOCAL__CALIBRATOR
pointing at them, `receiptflow eval` on the excluded dataset gives the honest number for
receipts of a kind never seen (`bench/heldout.py datasets` does all of it).

Fixed seed, deterministic LightGBM: the same inputs give the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from receiptflow.eval.sroie import list_samples as sroie_samples  # noqa: E402
from receiptflow.eval.wildreceipt import list_samples as wild_samples  # noqa: E402
from receiptflow.learned import row_labels  # noqa: E402

DATA = REPO.parent / "shared" / "datasets"
# bench/heldout.py sets it: its rounds need the models, not the cross-dataset reports inside
SKIP_REPORTS = "RECEIPTFLOW_TRAIN_SKIP_REPORTS"
OUT = REPO / "receiptflow" / "learned" / "data"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fill_ocr_cache(data: Path, cache: Path) -> None:
    """OCR every WildReceipt photo and SROIE scan not yet in the cache (or cached under other
    OCR settings)."""
    from receiptflow.eval.ocr_cache import OcrCache
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.ingest.loader import load_document
    from receiptflow.settings import Settings

    settings = Settings()
    extractor = LocalExtractor(settings.ocr, settings.local, check_models=False)
    jobs = [
        (cache / "wildreceipt", s.receipt_id, s.image_path)
        for s in wild_samples(data / "wildreceipt-dev")
    ]
    jobs += [
        (cache / "sroie", s.receipt_id, s.image_path)
        for s in sroie_samples(data / "sroie-dev", ocr_boxes=False)
    ]
    signature = settings.ocr.signature()
    missing = [job for job in jobs if OcrCache(job[0], signature).get(job[1]) is None]
    for done, (folder, receipt_id, path) in enumerate(missing, 1):
        started = time.perf_counter()
        lines = extractor.read_lines(load_document(path, settings.ingest))
        OcrCache(folder, signature).put(receipt_id, lines, time.perf_counter() - started)
        _log(f"OCR {done}/{len(missing)} {path.name}")


SYNTHETIC_SEED = 20261206
SYNTHETIC_DAMAGE = 0.25


def synthetic_folder(cache: Path, count: int) -> Path:
    return cache / f"synthetic-{SYNTHETIC_SEED}-{count}"


def fill_synthetic(cache: Path, count: int) -> None:
    """Draw the synthetic training receipts (seeded) and OCR them, where not done yet."""
    from receiptflow.eval.ocr_cache import OcrCache
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.ingest.loader import load_document
    from receiptflow.samples.mix import generate_many, random_specs
    from receiptflow.settings import Settings

    folder = synthetic_folder(cache, count)
    if len(list(folder.glob("*.lines.json"))) < count:
        _log(f"drawing {count} synthetic receipts into {folder} ...")
        specs = random_specs(count, SYNTHETIC_SEED, damage_share=SYNTHETIC_DAMAGE)
        generate_many(folder, specs, jobs=2)
    settings = Settings()
    extractor = LocalExtractor(settings.ocr, settings.local, check_models=False)
    ocr = OcrCache(folder / "ocr", settings.ocr.signature())
    truths = sorted(folder.glob("*.lines.json"))
    missing = [t for t in truths if ocr.get(t.name.removesuffix(".lines.json")) is None]
    for done, path in enumerate(missing, 1):
        truth = json.loads(path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        lines = extractor.read_lines(load_document(folder / truth["document"], settings.ingest))
        ocr.put(truth["name"], lines, time.perf_counter() - started)
        if done % 50 == 0 or done == len(missing):
            _log(f"OCR synthetic {done}/{len(missing)}")


def labelled_receipts(data: Path, cache: Path, synthetic: int) -> list[row_labels.LabelledReceipt]:
    receipts = [
        *row_labels.wildreceipt_receipts(data / "wildreceipt-dev", cache / "wildreceipt"),
        *row_labels.sroie_receipts(data / "sroie-dev", ocr_boxes=True),
        *row_labels.sroie_receipts(data / "sroie-dev", ocr_boxes=False, cache_dir=cache / "sroie"),
        *row_labels.cord_receipts(data / "cord-val-text"),
    ]
    if synthetic:
        folder = synthetic_folder(cache, synthetic)
        receipts += row_labels.synthetic_receipts(folder, folder / "ocr")
    return receipts


def _kept(items: list[Any], exclude: str | None, fold: Any = None) -> list[Any]:
    """Without the excluded dataset, and without the receipts of the held-out fold."""
    from receiptflow.learned.training import group_of

    return [
        item
        for item in items
        if (exclude is None or group_of(item.dataset) != exclude)
        and (fold is None or not fold.holds(item.receipt_id))
    ]


def role_rows(
    data: Path, cache: Path, synthetic: int, exclude: str | None, fold: Any = None
) -> Any:
    """The labelled rows both models are trained from (features computed once)."""
    from receiptflow.learned.training import role_set

    started = time.perf_counter()
    receipts = _kept(labelled_receipts(data, cache, synthetic), exclude, fold)
    rows = role_set(receipts)
    seconds = time.perf_counter() - started
    _log(f"roles: {len(receipts)} receipts, {len(rows.labels)} labelled rows ({seconds:.0f} s)")
    return rows


def train_roles(rows: Any, out: Path) -> None:
    from receiptflow.learned.training import cross_dataset_roles, roles_model_file

    started = time.perf_counter()
    cross = {} if os.environ.get(SKIP_REPORTS) else cross_dataset_roles(rows)
    for name, scores in cross.items():
        roles = ", ".join(f"{role} {score['f1']:.2f}" for role, score in scores["roles"].items())
        _log(f"  held out {name}: accuracy {scores['accuracy']:.3f}; F1 {roles}")
    model = roles_model_file(rows, cross)
    (out / "row_roles.json").write_text(
        json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    _log(f"wrote {out / 'row_roles.json'} ({time.perf_counter() - started:.0f} s)")


def truth_receipts(data: Path, cache: Path, synthetic: int) -> list[Any]:
    from receiptflow.learned import field_truth

    receipts = [
        *field_truth.wildreceipt_truths(data / "wildreceipt-dev", cache / "wildreceipt"),
        *field_truth.sroie_truths(data / "sroie-dev", ocr_boxes=True),
        *field_truth.sroie_truths(data / "sroie-dev", ocr_boxes=False, cache_dir=cache / "sroie"),
        *field_truth.cord_truths(data / "cord-val-text"),
    ]
    if synthetic:
        folder = synthetic_folder(cache, synthetic)
        receipts += field_truth.synthetic_truths(folder, folder / "ocr")
    return receipts


def cross_fitted_roles(rows: Any, scratch: str) -> list[Path]:
    """The role classifier refitted once per cross-fitting part without that part's
    receipts, written to ``scratch``: what the calibrator's training readings are made with."""
    from receiptflow.learned.training import cross_fitted_roles as fit_parts

    started = time.perf_counter()
    paths = []
    for part, model in enumerate(fit_parts(rows)):
        path = Path(scratch) / f"row_roles.part{part}.json"
        path.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
        paths.append(path)
    _log(f"trust: {len(paths)} cross-fitted role models ({time.perf_counter() - started:.0f} s)")
    return paths


def cross_fitted_readings(
    data: Path, cache: Path, synthetic: int, rows: Any, exclude: str | None, fold: Any = None
) -> list[Any]:
    """The local extractor's readings of every truth receipt (``calibration.Judged``), each
    read with a line-role classifier that was not trained on it: the calibrator's inputs."""
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.learned import calibration
    from receiptflow.learned.training import cross_fit_part
    from receiptflow.settings import Settings

    started = time.perf_counter()
    settings = Settings()
    receipts = _kept(truth_receipts(data, cache, synthetic), exclude, fold)
    judged_at: dict[int, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for part, path in enumerate(cross_fitted_roles(rows, scratch)):
            options = settings.local.model_copy(update={"role_model": str(path)})
            extractor = LocalExtractor(settings.ocr, options, settings.trust, check_models=False)
            members = [i for i, r in enumerate(receipts) if cross_fit_part(r.receipt_id) == part]
            found = calibration.judge_all(extractor, [receipts[i] for i in members])
            judged_at.update(zip(members, found, strict=True))
    judged = [judged_at[index] for index in range(len(receipts))]
    _log(f"trust: {len(judged)} receipts assessed ({time.perf_counter() - started:.0f} s)")
    return judged


def train_trust(
    data: Path,
    cache: Path,
    synthetic: int,
    out: Path,
    rows: Any,
    exclude: str | None,
    fold: Any = None,
) -> None:
    from receiptflow.extractors.local.roles import role_model
    from receiptflow.learned import calibration
    from receiptflow.learned.files import load_model
    from receiptflow.trust.calibrator import local_calibrator

    load_model.cache_clear()  # the models just written, not the ones loaded before
    role_model.cache_clear()
    local_calibrator.cache_clear()
    started = time.perf_counter()
    judged = cross_fitted_readings(data, cache, synthetic, rows, exclude, fold)
    fits, fields, nested = {}, {}, {}
    for name in calibration.all_fields(judged):
        fits[name] = calibration.fit_field(judged, name)
        fields[name] = calibration.field_json(fits[name], name)
        nested[name] = {
            "new_receipts_of_known_kinds": calibration.in_distribution_report(
                judged, fits[name], name
            ),
            "unseen_dataset": {}
            if os.environ.get(SKIP_REPORTS)
            else calibration.nested_report(judged, name),
        }
        for kind, reports in nested[name].items():
            for held, report in reports.items():
                _log(
                    f"  {name:14s} {kind:28s} {held:12s}: n {report['receipts']:4d}, right "
                    f"{report['accuracy']:.3f}, mean p {report['mean_probability']:.3f}, "
                    f"ECE {report['ece']:.3f}, AUC {report['auc']}"
                )
    probs = calibration.probabilities(judged, fits)
    receipt = calibration.fit_receipt(judged, {name: fit.oof for name, fit in fits.items()})
    thresholds, rates = calibration.choose_thresholds(judged, probs)
    _log(f"  thresholds {thresholds}")
    for group, rate in rates.items():
        _log(f"  {group:12s} {rate}")
    model = {
        "fields": fields,
        "receipt": receipt,
        "trained": {
            "seed": calibration.SEED,
            "scorer_params": {k: v for k, v in calibration.SCORER_PARAMS.items() if k != "verbose"},
            "receipts": {
                g: sum(1 for j in judged if j.dataset == g)
                for g in sorted({j.dataset for j in judged})
            },
            "cross_dataset": nested,
            "thresholds": thresholds,
            "pass_rates": rates,
        },
    }
    (out / "trust_local.json").write_text(
        json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    _log(f"wrote {out / 'trust_local.json'} ({time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--ocr-cache", type=Path, default=REPO / ".cache" / "ocr")
    parser.add_argument("--synthetic-count", type=int, default=1000, help="0: none")
    parser.add_argument("--only", choices=["roles", "trust"], default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--exclude", choices=["wildreceipt", "sroie", "cord", "synthetic"])
    parser.add_argument("--fold", help="K/N: leave out fold K of N (receiptflow eval --fold)")
    args = parser.parse_args()
    from receiptflow.eval.report import Fold

    fold = Fold.parse(args.fold) if args.fold else None
    if (args.exclude or fold) and args.out.resolve() == OUT.resolve():
        parser.error("--exclude/--fold write models that must not replace the bundled ones: --out")
    args.out.mkdir(parents=True, exist_ok=True)
    fill_ocr_cache(args.data, args.ocr_cache)
    if args.synthetic_count:
        fill_synthetic(args.ocr_cache, args.synthetic_count)
    rows = role_rows(args.data, args.ocr_cache, args.synthetic_count, args.exclude, fold)
    if args.only in (None, "roles"):
        train_roles(rows, args.out)
    if args.only in (None, "trust"):
        train_trust(
            args.data, args.ocr_cache, args.synthetic_count, args.out, rows, args.exclude, fold
        )


if __name__ == "__main__":
    main()

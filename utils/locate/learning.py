"""Fitting a ranker: listwise softmax over each trace's candidates, pulled towards the hand-set rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from utils.locate.evaluation import row_fix_methods
from utils.locate.features import FEATURE_NAMES, RULE_WEIGHTS, candidates
from utils.locate.names import normalize_method
from utils.locate.scoring import LinearRanker
from utils.parsing.stacktrace import parse_trace


@dataclass
class RankingExample:
    """The candidates of one trace whose fix is among them."""

    features: list[list[float]]  # one row per candidate, columns in FEATURE_NAMES order
    hits: list[bool]
    group: str  # rows of one group (bug) share a weight of 1 in total
    weight: float = 1.0


def ranking_examples(
    rows: Iterable[dict], group_field: str = "bug_id", app_packages: Iterable[str] = ()
) -> tuple[list[RankingExample], int]:
    """One example per row whose trace reaches a fixed method, and the number of rows that did not.

    Rows sharing `group_field` (one bug failing many tests) split a weight of 1, so a bug counts once.
    `app_packages` overrides the application's packages of every row (rows of one application only).
    """
    app_packages = tuple(app_packages)
    examples: list[RankingExample] = []
    unreachable = 0
    for number, row in enumerate(rows):
        fixes = {normalize_method(method) for method in row_fix_methods(row)}
        found = candidates(parse_trace(row.get("log", "")), None, app_packages)
        hits = [candidate.key in fixes for candidate in found]
        if not any(hits):
            unreachable += 1
            continue
        matrix = [[candidate.features.get(name, 0.0) for name in FEATURE_NAMES] for candidate in found]
        examples.append(RankingExample(matrix, hits, str(row.get(group_field) or row.get("id") or number)))
    sizes: dict[str, int] = defaultdict(int)
    for example in examples:
        sizes[example.group] += 1
    for example in examples:
        example.weight = 1.0 / sizes[example.group]
    return examples, unreachable


def fit_ranker(
    examples: list[RankingExample], l2: float = 1.0, prior: dict[str, float] | None = None, max_iter: int = 500
) -> LinearRanker:
    """Listwise logistic ranking (softmax over a trace's candidates; the hits share the target mass), fitted by
    L-BFGS with an L2 pull of strength `l2` towards `prior` (the rules by default): small data moves the rules
    only as far as it has evidence to.
    """
    import numpy as np  # training only: ranking needs neither numpy nor scipy
    from scipy.optimize import minimize

    prior_vector = np.array([(RULE_WEIGHTS if prior is None else prior).get(name, 0.0) for name in FEATURE_NAMES])
    if not examples:
        raise ValueError("no training example: no row's trace contains its fixed method")
    matrix = np.concatenate([np.asarray(example.features, dtype=float) for example in examples])
    hits = np.concatenate([np.asarray(example.hits, dtype=bool) for example in examples])
    sizes = [len(example.hits) for example in examples]
    group_of = np.repeat(np.arange(len(examples)), sizes)
    example_weights = np.array([example.weight for example in examples])
    total_weight = example_weights.sum()

    starts = np.cumsum([0, *sizes[:-1]])

    def log_sum_exp(logits: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-example log(sum(exp)) over the masked candidates, and each candidate's share of it."""
        masked = np.where(mask, logits, -np.inf)
        peak = np.maximum.reduceat(masked, starts)
        exps = np.where(mask, np.exp(masked - peak[group_of]), 0.0)
        sums = np.bincount(group_of, exps, len(examples))
        return np.log(sums) + peak, exps / sums[group_of]

    everything = np.ones_like(hits)

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        logits = matrix @ weights
        log_all, share_all = log_sum_exp(logits, everything)
        log_hits, share_hits = log_sum_exp(logits, hits)
        loss = float(example_weights @ (log_all - log_hits)) / total_weight
        gradient = matrix.T @ ((share_all - share_hits) * example_weights[group_of]) / total_weight
        difference = weights - prior_vector
        return loss + 0.5 * l2 * float(difference @ difference), gradient + l2 * difference

    result = minimize(
        loss_and_gradient, prior_vector.copy(), jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
    )
    weights = {name: round(float(value), 6) for name, value in zip(FEATURE_NAMES, result.x)}
    return LinearRanker(weights, {"kind": "learned", "l2": l2, "train_examples": len(examples)})


def first_hit_rank(example: RankingExample, ranker: LinearRanker) -> int:
    """Where the first fixed method lands in the ranker's order of the example's candidates (0 = top)."""
    weights = [ranker.weights.get(name, 0.0) for name in FEATURE_NAMES]
    logits = [sum(weight * value for weight, value in zip(weights, row)) for row in example.features]
    order = sorted(range(len(logits)), key=lambda index: -logits[index])  # stable, like rank_frames
    return next(rank for rank, index in enumerate(order) if example.hits[index])

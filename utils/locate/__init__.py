"""Where to look: rank the frames of a trace by how likely the developer's fix lies in that method.

One linear scorer over per-frame features serves two roles: `RULE_WEIGHTS` (hand-set, always available) and a
learned `LinearRanker` (a listwise softmax model fitted by train_locator.py, pulled towards the rules, saved as
JSON). Scoring is plain Python: ranking a trace costs under a millisecond, and this package imports neither torch
nor numpy (`fit_ranker` imports numpy/scipy when called).

Method names are compared after `normalize_method` (see there), the same way for frames and for `fix_methods`.

One module per job: `names` (method and class names), `kinds` (frame kinds, the application's scope), `features`
(the feature table of utils/locate/features.yaml and each candidate's features), `scoring` (rankers, ranking),
`storage` (save / load), `evaluation` (metrics against fixed methods), `learning` (fitting a ranker).
"""

from utils.locate.evaluation import (
    ASSERTION_FAILURES,
    SYSTEMS,
    evaluate_locate,
    evaluate_locate_file,
    format_locate_report,
    gap_closed,
    is_assertion_failure,
    row_fix_methods,
    select_locate_rows,
    share_of_ceiling,
)
from utils.locate.features import (
    FEATURE_NAMES,
    FEATURES,
    REASONS,
    RULE_WEIGHTS,
    Candidate,
    Feature,
    candidates,
    is_translator_frame,
    load_features,
)
from utils.locate.kinds import (
    TEST_RUNNERS_PATH,
    AppScope,
    RunnerRules,
    frame_kind,
    infer_scope,
    is_plumbing_frame,
    is_runner_class,
    is_test_frame,
    load_runner_rules,
)
from utils.locate.learning import RankingExample, first_hit_rank, fit_ranker, ranking_examples
from utils.locate.names import frame_key, normalize_method
from utils.locate.scoring import RULES, LinearRanker, RankedFrame, locate, naive_frames, rank_frames
from utils.locate.storage import LOCATE_TASK, RANKER_FILE, load_ranker, save_ranker, with_app_packages

__all__ = [
    "ASSERTION_FAILURES",
    "FEATURES",
    "FEATURE_NAMES",
    "LOCATE_TASK",
    "RANKER_FILE",
    "REASONS",
    "RULES",
    "RULE_WEIGHTS",
    "SYSTEMS",
    "TEST_RUNNERS_PATH",
    "AppScope",
    "Candidate",
    "Feature",
    "LinearRanker",
    "RankedFrame",
    "RankingExample",
    "RunnerRules",
    "candidates",
    "evaluate_locate",
    "evaluate_locate_file",
    "first_hit_rank",
    "fit_ranker",
    "format_locate_report",
    "frame_key",
    "frame_kind",
    "gap_closed",
    "infer_scope",
    "is_assertion_failure",
    "is_plumbing_frame",
    "is_runner_class",
    "is_test_frame",
    "is_translator_frame",
    "load_features",
    "load_ranker",
    "load_runner_rules",
    "locate",
    "naive_frames",
    "normalize_method",
    "rank_frames",
    "ranking_examples",
    "row_fix_methods",
    "save_ranker",
    "select_locate_rows",
    "share_of_ceiling",
    "with_app_packages",
]

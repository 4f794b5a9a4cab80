"""The red-flag model: learnt from examples, scored by hand exactly as scikit-learn
would, a second net under the patterns that only ever adds a red flag."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot import defaults
from chatbot.problems import KnowledgeError
from chatbot.red_flag_model import (
    CACHE_FILE,
    Example,
    RedFlagModel,
    _learnt,
    load_red_flag_model,
    read_examples,
)
from chatbot.rules import RuleSet
from chatbot.safety import load_red_flags, triage

EXAMPLES = Path(__file__).parent / "fixtures" / "red_flag_examples" / "examples.yaml"


@pytest.fixture(scope="module")
def model() -> RedFlagModel:
    return RedFlagModel.learn(read_examples(EXAMPLES), threshold=0.5, keep_pipeline=True)


@pytest.fixture(scope="module")
def red_flags() -> RuleSet:
    return load_red_flags(Path("/nonexistent"))


# Words of the examples, and others, so generated questions share n-grams with them.
_VOCABULARY = (
    "felt something go thigh kicked ball back box twanged hamstring purple since they did "
    "my knee scar weeping how long hold stretch which best after run can foam roll shoes "
    "walking I the and it now is a to zzz qqq é 腰痛 !! ?"
)
WORDS = st.sampled_from(_VOCABULARY.split())


@settings(max_examples=80, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=30).map(" ".join))
def test_the_hand_score_is_scikit_learns_probability(model: RedFlagModel, text: str) -> None:
    by_hand = model.probability(text)
    if by_hand:
        assert by_hand == pytest.approx(model.probability_by_scikit_learn(text), abs=1e-9)
    else:  # no n-gram of the examples at all: no evidence, where scikit-learn gives its bias
        assert model.probability_by_scikit_learn(text) == pytest.approx(
            1 / (1 + math.exp(-model.intercept))
        )


@pytest.mark.parametrize(
    ("question", "flagged"),
    [
        ("sprinting for the ball and now the top of my thigh is purple", True),
        ("since they did my hip it has been weeping", True),
        ("how long should I hold a calf stretch", False),
        ("which shoes are best for a run", False),
    ],
)
def test_the_model_flags_wordings_like_its_red_flags(
    model: RedFlagModel, question: str, flagged: bool
) -> None:
    assert model.flags(question) is flagged


def test_nothing_the_examples_ever_said_is_no_evidence(model: RedFlagModel) -> None:
    assert model.probability("zzz qqq") == 0.0


def test_a_topic_of_a_few_words_is_left_to_the_rules(model: RedFlagModel) -> None:
    story = "sprinting for the ball and now the top of my thigh is purple"
    assert model.flags(story)
    assert model.probability("thigh purple") >= model.threshold
    assert not model.flags("thigh purple")


def test_a_question_no_rule_matches_goes_to_a_professional_when_the_model_flags_it(
    model: RedFlagModel, red_flags: RuleSet
) -> None:
    question = "sprinting for the ball and now the top of my thigh is purple"
    assert red_flags.match(question) is None
    assert triage(question, red_flags, "Not advice.") is None
    answer = triage(question, red_flags, "Not advice.", model=model)
    assert answer is not None
    assert answer.band == "triage"
    assert answer.text == red_flags.replies["professional"]


def test_the_model_never_takes_a_red_flag_away(red_flags: RuleSet) -> None:
    never = RedFlagModel.learn(
        [Example("how do I stretch", False), Example("felt a pop", True)], threshold=0.99
    )
    answer = triage("I can't feel my legs and I wet myself", red_flags, "x", model=never)
    assert answer is not None
    assert answer.band == "triage"


def test_a_broken_examples_file_names_every_fault_by_line(tmp_path: Path) -> None:
    broken = tmp_path / "examples.yaml"
    broken.write_text(
        "- question: fine\n  label: ok\n"
        "- question: no label here\n"
        "- question: ''\n  label: triage\n"
        "- question: wrong label\n  label: maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as error:
        read_examples(broken)
    lines = [(p.line, p.message) for p in error.value.problems]
    assert lines == [
        (3, "each example needs a question and a label"),
        (4, "an example's question must be text"),
        (6, "the label must be triage or ok, not 'maybe'"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("question: not a list\n", "must be a list of examples"),
        ("- question: only ok\n  label: ok\n", "needs examples of both red flags and others"),
    ],
)
def test_an_examples_file_that_cannot_teach_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_red_flag_model(path)


def test_missing_examples_stop_the_start_rather_than_drop_the_net(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="red-flag examples are missing"):
        load_red_flag_model(tmp_path / "nowhere.yaml")


def test_a_threshold_outside_zero_and_one_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        RedFlagModel.learn([Example("ab", True), Example("cd", False)], threshold=1.5)


def test_the_package_examples_teach_both_kinds() -> None:
    entries = yaml.safe_load(defaults.RED_FLAG_EXAMPLES.read_text(encoding="utf-8"))
    labels = {e["label"] for e in entries}
    assert labels == {"triage", "ok"}
    assert len(read_examples(defaults.RED_FLAG_EXAMPLES)) == len(entries)


QUESTIONS = [
    "felt something go in my calf when I kicked",
    "how long should I hold a calf stretch",
    "since the op my knee is hot",
]


def _copy_of_examples(tmp_path: Path) -> Path:
    path = tmp_path / "examples.yaml"
    path.write_text(EXAMPLES.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_a_saved_model_is_read_back_with_the_same_probabilities(tmp_path: Path) -> None:
    examples, cache = _copy_of_examples(tmp_path), tmp_path / "cache"
    learnt = load_red_flag_model(examples, 0.5, cache)
    assert (cache / CACHE_FILE).is_file()
    stored = json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))
    read_back = RedFlagModel.from_dict(stored["model"], 0.5)
    for question in QUESTIONS:
        assert read_back.probability(question) == pytest.approx(learnt.probability(question))


def test_changed_examples_are_learnt_again_and_a_damaged_copy_is_relearnt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    examples, cache = _copy_of_examples(tmp_path), tmp_path / "cache"
    first = load_red_flag_model(examples, 0.5, cache)
    with examples.open("a", encoding="utf-8") as file:
        file.write("- question: my toe went black after the frost\n  label: triage\n")
    second = load_red_flag_model(examples, 0.5, cache)
    assert second.size == first.size + 1
    (cache / CACHE_FILE).write_text("{not json", encoding="utf-8")
    with examples.open("a", encoding="utf-8") as file:
        file.write("- question: best trainers for a park run\n  label: ok\n")
    with caplog.at_level(logging.WARNING, logger="chatbot.red_flag_model"):
        third = load_red_flag_model(examples, 0.5, cache)
    assert third.size == first.size + 2
    assert any("unreadable" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "saved",
    [
        [1, 2],
        None,
        {"tables": [[], []], "intercept": 0.1, "size": 3},
        {"tables": [{"a": ["x", 1]}, {}], "intercept": 0.1, "size": 3},
        {"tables": [{}, {}], "intercept": "0.1", "size": 3},
    ],
)
def test_a_saved_copy_of_the_wrong_shape_is_relearnt(tmp_path: Path, saved: object) -> None:
    examples, cache = _copy_of_examples(tmp_path), tmp_path / "cache"
    load_red_flag_model(examples, 0.5, cache)
    key = json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))["key"]
    (cache / CACHE_FILE).write_text(json.dumps({"key": key, "model": saved}), encoding="utf-8")
    with pytest.raises(ValueError, match="saved red-flag model"):
        RedFlagModel.from_dict(saved, 0.5)
    _learnt.cache_clear()
    relearnt = load_red_flag_model(examples, 0.5, cache)
    assert relearnt.flags("sprinting for the ball and now the top of my thigh is purple")


def test_a_model_read_from_the_cache_needs_no_scikit_learn(tmp_path: Path) -> None:
    examples, cache = _copy_of_examples(tmp_path), tmp_path / "cache"
    load_red_flag_model(examples, 0.5, cache)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from chatbot.red_flag_model import load_red_flag_model\n"
        f"model = load_red_flag_model(Path({str(examples)!r}), 0.5, Path({str(cache)!r}))\n"
        "model.probability('felt something go')\n"
        "print('sklearn' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.strip() == "False"

"""Red-flag triage: runs before search, sends the person to a professional, never advises."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.engine import Engine
from chatbot.problems import KnowledgeError
from chatbot.rules import RuleSet, load_rules, plain
from chatbot.safety import load_red_flags
from tests.conftest import RED_FLAGS_FILE, AskJSON


@pytest.fixture(scope="module")
def red_flags(clinic_dir: Path) -> RuleSet:
    """The red flags a knowledge folder gets, read the way the engine reads them."""
    return load_red_flags(clinic_dir)


def test_the_rules_under_test_are_the_product_red_flags(red_flags: RuleSet) -> None:
    product = load_rules(RED_FLAGS_FILE)
    assert product.rules, f"no red-flag rules in {RED_FLAGS_FILE}"
    assert [r.name for r in red_flags.rules] == [r.name for r in product.rules]


RED_FLAG_QUESTIONS = [
    ("I slipped down the stairs and can't put weight on my left leg", "emergency"),
    ("my leg gave way and I can't stand up", "emergency"),
    ("I think I broke my hip", "emergency"),
    ("sudden sharp pain in my groin while sprinting", "emergency"),
    ("the pain is unbearable, what do I do", "emergency"),
    ("lost bladder control and my back aches", "emergency"),
    ("numb between my legs since yesterday", "emergency"),
    ("I'm getting chest pain when I run", "emergency"),
    ("there's numbness in my thigh", "professional"),
    ("tingling in my foot after stretching", "professional"),
    ("the front of my hip is red and hot to the touch", "professional"),
    ("my hip is swollen", "professional"),
    ("I've got a fever and my hip aches", "professional"),
    ("I think I pulled my hip flexor", "professional"),
    ("is my hip flexor torn?", "professional"),
    ("heard a pop in my hip during squats", "professional"),
    ("I'm 20 weeks pregnant, can I foam roll?", "professional"),
    ("hip flexor massage while pregnant", "professional"),
    ("can you diagnose my hip pain", "diagnosis"),
    ("what's wrong with my hip?", "diagnosis"),
    ("do I have bursitis", "diagnosis"),
    ("my hip clicks on the stairs, what condition is that", "diagnosis"),
    ("what kind of injury could this be", "diagnosis"),
    ("SHOULD I GO TO THE DOCTOR", "diagnosis"),
    ("could this be a sign of something serious", "diagnosis"),
    ("my hip is killing me", "emergency"),
    ("hurt my hip in a car accident", "emergency"),
    ("my foot turned blue", "emergency"),
    ("I can't feel my leg", "professional"),
    ("just had hip surgery, can I massage it?", "professional"),
    ("can I massage with a blood clot in my leg", "professional"),
    ("hip pain that won't go away", "professional"),
    ("there's a lump in my groin", "professional"),
    ("could it be an infection?", "professional"),
    ("the pain is so bad I can't sleep", "emergency"),
    ("I can't hold my pee and my back hurts", "emergency"),
    ("my leg suddenly went weak", "professional"),
    ("can I massage a pulled hamstring", "professional"),
    ("hip pain at night that wakes me up", "professional"),
    ("should I see a doctor about my knee?", "diagnosis"),
    ("I had my hip replaced last month, can I stretch?", "professional"),
    ("I have sciatica, which stretches help?", "professional"),
    ("my back has been getting worse every week", "professional"),
    ("I've lost weight without trying and my back aches", "professional"),
    ("my 8 year old says his knee hurts", "professional"),
    ("I'm 30 weeks along and my back hurts at the side", "professional"),
]


@pytest.mark.parametrize(("question", "reply"), RED_FLAG_QUESTIONS)
def test_red_flag_questions_get_their_reply(red_flags: RuleSet, question: str, reply: str) -> None:
    rule = red_flags.match(question)
    assert rule is not None, question
    assert rule.reply == reply


def test_every_red_flag_rule_is_matched_by_a_question_above(red_flags: RuleSet) -> None:
    matched = {rule.name for q, _ in RED_FLAG_QUESTIONS if (rule := red_flags.match(q))}
    assert {rule.name for rule in red_flags.rules} == matched


@pytest.mark.parametrize(
    "question",
    [
        "can massage prevent injury?",
        "Does massage help recovery from an injury?",
        "how do I prevent hip flexor strain",
        "does massage reduce inflammation",
        "how much pressure should I use",
        "is a foam roller good for tight hips",
        "what should I do after a hip flexor massage",
        "can tight hip flexors cause back pain",
        "Should I warm up before exercise?",
        "do I have to stretch after massage",
        "I fell asleep at my desk and my hips are stiff",
        "wear and tear on the hips",
        "how does massage help hip flexor pain",
        "what is a deep tissue massage",
        "does massage help injured muscles heal",
        "what is the best way to avoid tearing a muscle",
        "does massage improve blood flow",
        "can this be done at home",
        "could massage be bad for me",
        "how high should I lift my knee",
        "what injury can massage help prevent",
        "what condition are my hip flexors in after sitting all day",
    ],
)
def test_normal_questions_raise_no_red_flag(red_flags: RuleSet, question: str) -> None:
    assert red_flags.rules, "an empty rule set would pass this test"
    assert red_flags.match(question) is None


def test_triage_runs_before_search_and_never_quotes_a_passage(ask: AskJSON) -> None:
    # Plain wording of a passage, so without triage it would be answered with massage advice.
    question = "How do I stretch my wrists step by step?"
    assert ask(question)["band"] == "answer"
    body = ask(f"I'm pregnant. {question}")
    assert body["band"] == "triage"
    assert body["answered"] is False
    assert body["source"] is None
    assert body["related"] == []
    assert body["disclaimer"]
    assert "Reach Forward" not in body["answer"]
    assert "professional" in body["answer"]


def test_emergency_reply_points_to_emergency_services(engine: Engine) -> None:
    answer = engine.ask("I fell and now I can't walk")
    assert answer.band == "triage"
    assert "emergency" in answer.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("I can't WALK!!", "i cant walk"), ("  Pregnant?  ", "pregnant"), ("Hüfte's", "huftes")],
)
def test_rules_see_questions_in_plain_form(text: str, expected: str) -> None:
    assert plain(text) == expected


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            "replies: {a: Hi}\nrules:\n  - name: x\n    reply: a\n    patterns: ['(']\n",
            5,
            "not valid",
        ),
        (
            "replies: {a: Hi}\nrules:\n  - name: x\n    reply: b\n    patterns: [y]\n",
            3,
            "unknown reply 'b'",
        ),
        (
            "replies: {a: Hi}\nrules:\n  - name: x\n    reply: [a]\n    patterns: [y]\n",
            3,
            "needs one reply name",
        ),
        ("replies: {a: Hi}\nrules:\n  - name: x\n    patterns: [y]\n", 3, "needs exactly"),
        ("replies: {a: Hi}\n", 1, "needs exactly two keys"),
        ("replies: {a: Hi}\nrules: [\n", 3, "cannot be read"),
        ("replies: {a: ''}\nrules: []\n", 1, "reply 'a' must be text"),
    ],
)
def test_a_broken_rules_file_is_reported_as_file_and_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(content)
    with pytest.raises(KnowledgeError) as error:
        load_rules(path)
    problem = error.value.problems[0]
    assert (problem.path, problem.line) == (path, line)
    assert message in problem.message
    assert str(problem).startswith(f"{path}:{line}: ")


def test_a_knowledge_folder_without_a_rules_file_still_has_every_red_flag(
    tmp_path: Path,
) -> None:
    assert not (tmp_path / "safety.yaml").exists()
    assert load_red_flags(tmp_path).rules == load_rules(RED_FLAGS_FILE).rules

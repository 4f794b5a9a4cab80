"""Red flags told as stories, with no alarm word, still go to a professional; everyday
questions that share their words do not, and a subject the articles are about is no
red flag there."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatbot import defaults
from chatbot.rules import RuleSet, plain
from chatbot.safety import load_red_flags, triage, without_absent_symptoms

COVERED = plain(
    "Exercise for Knee Osteoarthritis. Sleeping Positions During Pregnancy. "
    "When should I see a doctor about knee pain?"
)


# The red flags of the first blind set's dev half, now among the red-flag model's
# examples: the patterns alone must keep catching them (the held-out half is measured
# by bench/quality.py once per round, never tested against).
BLIND_RED_FLAGS = [
    entry["question"]
    for entry in yaml.safe_load(defaults.RED_FLAG_EXAMPLES.read_text(encoding="utf-8"))
    if entry.get("set") == "blind-1" and entry["label"] == "triage"
]


@pytest.fixture(scope="module")
def red_flags() -> RuleSet:
    # A folder without a safety file gets the package's rules.
    return load_red_flags(Path("/nonexistent"))


@pytest.mark.parametrize(
    "question",
    [
        "slipped on the ice yesterday and since then my knee keeps giving way",
        "came off a ladder clearing the gutters and landed on my back, which pillow now?",
        "someone went into the back of my car on tuesday and my neck aches every morning",
        "was kneeling in the garden and my knee wouldnt straighten, its stuck bent",
        "my back went this morning and it feels weird when i wipe after the toilet",
        "lower back pain for a few days and last night i wet the bed without noticing",
        "back has been sore for 3 days and now i've got a temperature of 39",
        "my back pain has got a bit worse every week for two months despite the stretches",
        "my knee has hurt for six weeks and it's still no better",
        "my 7 year old woke up saying his neck hurts and he feels hot",
        "our daughter keeps limping after football",
        "I've dropped about 8 kilos in two months without trying and my back aches",
        "a tight crushing feeling in my chest that goes into my left arm at night",
        "had my knee replaced 3 weeks ago and the scar is red and leaking",
        "I'm having a hip replacement next month, what exercises should I do",
        "recovering from a knee replacement, can I go swimming yet",
        "my new hip is stiff in the mornings",
        "six months after my knee op my hip flexor still hurts, is that normal?",
        "both legs feel heavy and I cant really feel it down there",
        "when i wiped after the loo it felt kind of dull down there, is a heat pack ok",
        "i keep feeling like i need to pee but barely anything comes out",
        "my back has hurt on and off for two years, what stretches help",
        "I've tried heat and painkillers and nothing helped",
        "I heard my back pop wrestling and it still hurts",
        "what could be causing this pain in my hip when I run?",
        "is this something I should get checked?",
        "my hip flexor injury flared up on my long run",
        "I'm 31 weeks and lying on my left side hurts like hell",
        "my back hurts when I lie down and I can't get any sleep",
        "my dad has spinal stenosis, what exercise can he do",
        "what could be the problem with my back?",
        "what exactly is causing that pinching sensation",
        "I tried heat pads and painkillers, neither seems to be working",
        "my son is 16 and has had soreness in his lower back since football",
        "the pain is now extending down into the top of my leg",
        "I slept on it for approximately 8 weeks and my back still hurts",
        "halfway down the stairs my knee went from under me",
        "my knee has given way twice this week",
        "my foot has gone a greyish colour and feels cold compared to the other one",
        "why is my knee warm after my knee replasment",
        "my hip is still hot a month after the op",
        "I'm 30 weeks, a bit achy low down and there was some spotting",
        "the physio said I have piriformis syndrome, which stretches?",
        "could it be a trapped nerve?",
        "the stretches from the article are not helping at all",
        "ibuprofen isn't helping my back pain",
        "2 weeks post knee replacement and my calf is sore",
        "total knee replacement last month, when can I drive",
        "hip replacement 10 days ago, can I sleep on my side",
        "my knees gave way on the stairs",
        "my legs just collapsed under me",
        "my foot is ice cold and pale",
        "No fever, numbness around my groin and bum since yesterday. What stretches help?",
        "Back pain. No swelling. Numbness in my saddle area.",
        "no redness, swelling in my calf after the flight",
        "no numbness, weakness in both legs and I keep tripping",
        "my knee never swells but today it did",
        "it wasn't swollen before but now it is",
        "I can't sit for more than 10 minutes without numbness in my groin",
        "Isn't numbness around the groin serious?",
        "felt something go behind my knee on the last sprint",
        "I think I've done something nasty to my back moving the wardrobe",
        "since they did my hip I get a sharp ache going upstairs",
        "went down hard on the ice and my knee is fat now",
        "he can't hold it in when he needs the loo since his back went",
        "my left foot slaps the pavement when I walk",
        "my shin feels like it belongs to someone else",
        "pain shoots from my bum all the way down the back of my leg",
        "it's a bit worse every week, which stretch now?",
        "im 14 and my knees ache after football",
        "he's burning up and his neck is stiff, which pillow?",
        "she can't get her chin down to her chest since this morning",
        "my knee is hot, red and puffed up like a balloon",
        "I could barely walk after the match",
        "our 6 year old says no pain but won't walk on it",
        "my daughter has no pain in the day but cries at night",
        "no pain at rest but it wakes me at night",
        "I haven't had a day without pain for 3 months",
        "both my legs went numb after a run",
        "both my legs feel heavy after a walk and I have to sit down",
        "can't hold it until I get to the toilet since my back went",
    ],
)
def test_a_red_flag_told_as_a_story_is_triaged(red_flags: RuleSet, question: str) -> None:
    answer = triage(question, red_flags, "Not advice.")
    assert answer is not None, question
    assert answer.band == "triage"


@pytest.mark.parametrize(
    "question",
    [
        "will exercise make my knee worse?",
        "my doctor says I will need knee replacements eventually if I keep running",
        "what can I do to prevent having knee replacement surgery",
        "my surgeon suggested a knee replacement but I want to try exercise first",
        "do I risk a joint replacement in the future if I keep jogging",
        "would losing some weight help my knees",
        "can kids do these stretches",
        "what pillow is best for a child",
        "how long should I hold each stretch",
        "is it normal to feel stiff in the morning",
        "my hips feel locked up after sitting all day",
        "can I still go to the gym with lower back pain",
        "how do I get up from the floor safely",
        "what is the best mattress for back pain",
        "should I drink more water so I pee more often",
        "what causes tight hip flexors",
        "can massage prevent injury?",
        "how many weeks should I keep doing the stretches",
        "what is the best position to sleep in",
        "is walking good for knee osteoarthritis",
        "I'm overweight and my joints aren't helping either, what exercise can I do",
        "could it be my pillow that gives me a stiff neck?",
        "my hands are warm after a hot bath, is heat good for my back",
        "my knee feels warm after the heat pack, is that ok",
        "my legs get warm under the duvet",
        "could it be a good idea to stretch before bed?",
        "I'm 12 weeks into physio and my hamstring is a bit achy",
        "my boss has given out the rota and I'm on my feet all week",
        "our car broke down on the way to the physio, can I do the stretches at home",
        "my legs feel heavy after a long run, normal?",
        "can my 9 year old do these stretches? she has no pain at all",
        "I can't hold it for 30 seconds yet, should I still do the stretch?",
        "is the pain relief from a heat pad better than a hot bath?",
        "I can't hold it very long, should I keep trying the plank",
        "I missed a few steps of the routine, does it matter",
        "I'm 6 foot 4 and my back aches at my desk",
        "I'm 15 miles into marathon training and my knee aches",
        "I feel it go tight when I stretch my hip flexors",
        "when I squat my knee went past my toes, is that bad",
        "since they did my scan I want to get stronger",
        "my toddler keeps tripping over his own feet, can he do stretches",
        "my arthritic knee aches after gardening, no swelling or anything, ice or heat?",
    ],
)
def test_an_everyday_question_is_not_triaged(red_flags: RuleSet, question: str) -> None:
    assert triage(question, red_flags, "Not advice.") is None, question


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        ("My knee aches, no swelling or anything", "my knee aches,   or anything"),
        ("without any numbness or tingling in my legs", "  in my legs"),
        ("neither swollen nor numb, just stiff", " , just stiff"),
        ("I don't have any fever", "i  "),
        ("no fever, numbness in my groin", " , numbness in my groin"),
        ("no swelling and numb", "  and numb"),
        ("it's not swollen", "its not swollen"),
        ("Isn't numbness serious?", "isnt numbness serious?"),
        ("I can't sit for long without numbness", "i cant sit for long without numbness"),
        ("No pain at all, just stiff", "  at all, just stiff"),
        ("no pain relief helps", "no pain relief helps"),
    ],
)
def test_only_symptoms_plainly_said_to_be_absent_are_taken_out(question: str, read_as: str) -> None:
    assert without_absent_symptoms(question) == read_as


def test_an_absent_symptom_raises_no_red_flag_and_a_present_one_still_does(
    red_flags: RuleSet,
) -> None:
    calm = "my knee aches after a long walk, no swelling or anything, ice or heat?"
    assert triage(calm, red_flags, "Not advice.") is None
    swollen = "my knee aches after a long walk and there is some swelling, ice or heat?"
    answer = triage(swollen, red_flags, "Not advice.")
    assert answer is not None
    assert answer.band == "triage"


@pytest.mark.parametrize(
    "question",
    [
        "swimming good for arthritis in the knee?",
        "pregnant and cant get comfy on my side, anything that helps",
        "When should I see a doctor about knee pain?",
    ],
)
def test_a_subject_the_articles_cover_is_no_red_flag_there(
    red_flags: RuleSet, question: str
) -> None:
    assert red_flags.match(question) is not None  # elsewhere it is one
    assert red_flags.match(question, covered=COVERED) is None


@pytest.mark.parametrize(
    "question",
    [
        "I have arthritis and just fell down the stairs",
        "pregnant and I've had sudden sharp pain since this morning",
        "had my knee replaced and it is getting worse",
    ],
)
def test_a_covered_subject_never_hides_another_red_flag(red_flags: RuleSet, question: str) -> None:
    assert red_flags.match(question, covered=COVERED) is not None


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("my knee is warm and it aches", "a hot, red or swollen joint, or fever"),
        ("my hip is still hot a month after the op", "a hot, red or swollen joint, or fever"),
        (
            "my foot has gone a greyish colour",
            "chest pain, trouble breathing or a cold, pale or blue leg",
        ),
        ("halfway down the stairs my knee went from under me", "cannot bear weight, walk or stand"),
        ("I'm 30 weeks and there was some spotting", "pain in pregnancy"),
        (
            "the physio said I have piriformis syndrome",
            "a medical condition that needs a clinician's advice",
        ),
        ("could it be a trapped nerve?", "a request for a diagnosis"),
        (
            "knee replasment 3 weeks ago, can I cycle",
            "surgery, an operation or a joint replacement",
        ),
        (
            "the tablets aren't helping",
            "pain that keeps getting worse, will not go away or wakes at night",
        ),
    ],
)
def test_a_red_flag_is_raised_by_its_own_rule(red_flags: RuleSet, question: str, rule: str) -> None:
    found = red_flags.match(question)
    assert found is not None, question
    assert found.name == rule


@pytest.mark.parametrize("question", BLIND_RED_FLAGS)
def test_every_red_flag_of_the_first_blind_set_dev_half_is_matched_by_a_pattern(
    red_flags: RuleSet, question: str
) -> None:
    assert triage(question, red_flags, "Not advice.") is not None, question

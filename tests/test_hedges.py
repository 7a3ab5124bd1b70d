"""Hedge lexicon, kinds and scope."""

from __future__ import annotations

from pathlib import Path

from storydiff.claims.hedges import find_hedges, hedges_in, sentence_bounds, sentence_is_hedged

DATA = Path(__file__).parent / "data" / "claims"


def _texts(text: str, start: int, end: int) -> list[str]:
    return [h.text for h in hedges_in(find_hedges(text), start, end)]


def test_example_retreat_sentence_is_hedged_three_ways() -> None:
    text = (DATA / "report-a.txt").read_text(encoding="utf-8")
    start = text.index("According to ")
    end = text.index(".", start)
    # "if confirmed" stands in the next sentence ("This incident, if confirmed,
    # ...") and reaches back over this one.
    assert _texts(text, start, end) == ["cited in unverified sources", "reportedly", "if confirmed"]


def test_backward_scope_needs_an_anaphoric_subject() -> None:
    anaphor = "Rebels seized the airport. This attack, if confirmed, would be a turning point."
    assert "if confirmed" in _texts(anaphor, 0, anaphor.index("."))
    no_anaphor = "Rebels seized the airport. If confirmed, the deal would end the strike."
    assert _texts(no_anaphor, 0, no_anaphor.index(".")) == []
    # The hedge still governs its own sentence.
    assert _texts(no_anaphor, no_anaphor.index("If"), len(no_anaphor)) == ["If confirmed"]


def test_kinds() -> None:
    text = (
        "The minister, who spoke on condition of anonymity, said the figures could not be "
        "independently verified. Sources say the alleged strike hit a depot. The claims have not "
        "been confirmed. The army reportedly withdrew, according to unverified sources."
    )
    kinds = {h.text.lower(): h.kind for h in find_hedges(text)}
    assert kinds["spoke on condition of anonymity"] == "anonymous"
    assert kinds["could not be independently verified"] == "unverified"
    assert kinds["sources say"] == "vague_source"
    assert kinds["alleged"] == "alleged"
    assert kinds["have not been confirmed"] == "unverified"
    assert kinds["reportedly"] == "reported"
    assert kinds["according to unverified sources"] == "unverified"


def test_speech_verb_claimed_is_not_a_hedge() -> None:
    text = "The governor claimed that the bridge was intact. The claimed advance was small."
    found = [(h.text, h.kind) for h in hedges_in(find_hedges(text), 0, len(text))]
    assert found == [("claimed", "alleged")]
    assert find_hedges(text)[0].start == text.index("claimed advance")


def test_epistemic_not_listed_by_default_but_findable() -> None:
    text = "The storm may reach the coast."
    assert hedges_in(find_hedges(text), 0, len(text)) == []
    assert [h.kind for h in hedges_in(find_hedges(text), 0, len(text), kinds=None)] == ["epistemic"]
    assert "May" not in [h.text for h in find_hedges("In May the river flooded.")]


def test_sentence_level() -> None:
    assert sentence_is_hedged("It is widely believed that the bridge was built by the Romans.")
    assert sentence_is_hedged("Critics argue that the policy failed.")
    assert not sentence_is_hedged("The bridge was completed in 1932 and spans 503 metres.")


def test_sentence_bounds() -> None:
    text = "One. Two!\nThree? \"Four.\" Five"
    assert [text[a:b] for a, b in sentence_bounds(text)] == ["One.", "Two!", "Three?", '"Four.', "Five"]


def test_speaker_hedges_attach_to_the_source() -> None:
    from storydiff.claims.hedges import speaker_hedges

    text = "The aide, who requested anonymity, said talks failed. Borisov, a clerk, said the vote was unverified."
    aide = (0, len("The aide"))
    clerk = (text.index("Borisov"), text.index("Borisov") + 7)
    mention_map = {("d", *aide): "E1", ("d", *clerk): "E2"}
    found = speaker_hedges(find_hedges(text), mention_map, "d", text)
    assert {k: [h.text for h in v] for k, v in found.items()} == {"E1": ["requested anonymity"]}


def test_speaker_hedges_through_a_relative_pronoun() -> None:
    from storydiff.claims.hedges import speaker_hedges

    text = "The aide, who requested anonymity, said talks failed."
    mention_map = {("d", 0, 8): "E1", ("d", 10, 13): "E1"}  # "The aide", "who"
    found = speaker_hedges(find_hedges(text), mention_map, "d", text)
    assert [h.text for h in found["E1"]] == ["requested anonymity"]

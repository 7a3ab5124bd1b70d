"""The change generators of bench/discrepancies.py: each makes exactly the one change it records."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import _changes as ch  # noqa: E402
from _polnear import Attribution, PolnearArticle, read_ann  # noqa: E402

pytestmark = pytest.mark.slow  # loads the spaCy pipeline

STORY = (
    "Senate Panel Delays Vote on Water Bill\n"
    "\n"
    "The Senate Finance Committee delayed a vote on the $12 billion water bill on Tuesday, "
    "after 14 members asked for more time to study it.\n"
    "\n"
    "Sen. John Barrasso, the committee chairman, said the panel would meet again on March 3 in Washington. "
    "He did not say whether the bill would change.\n"
    "\n"
    "The bill would reportedly cut funding for 40 percent of rural water projects, according to a draft "
    "seen by reporters.\n"
    "\n"
    "\u201cWe need to get this right,\u201d said Maria Lopez, a spokeswoman for the committee. "
    "Lopez said the vote could slip to the spring of 2017.\n"
)

PLAIN = "Weather was mild and people walked in the park.\n\nIt was a quiet day for everyone there.\n"


# brat-style attributions of STORY (source, cue, content), found by pattern so variants of the text keep them
ATTRIBUTIONS = (
    r"(?P<source>Sen\. [A-Z]\w+ [A-Z]\w+), the committee chairman, (?P<cue>said) "
    r"(?P<content>the panel would meet again on March 3 in Washington)",
    r"\u201c(?P<content>We need to get this right),\u201d (?P<cue>said) (?P<source>[A-Z]\w+ [A-Z]\w+)",
    r"(?P<source>[A-Z]\w+) (?P<cue>said) (?P<content>the vote could slip to the spring of 2017)",
    r"(?P<content>The bill would (?:reportedly )?cut funding for 40 percent of rural water projects), "
    r"(?P<cue>according to) (?P<source>a draft seen by reporters)",
)


def _story(text: str = STORY, article: str = "story") -> PolnearArticle:
    attrs = []
    for pattern in ATTRIBUTIONS:
        m = re.search(pattern, text)
        assert m is not None, pattern
        attrs.append(Attribution(*(((m.start(g), m.end(g)),) for g in ("source", "cue", "content"))))
    return PolnearArticle(article, text, "2016-10-01", tuple(attrs))


@pytest.fixture(scope="module")
def nlp():
    from storydiff.claims.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="module")
def story(nlp) -> ch.Prepared:
    return ch.prepare(_story(), nlp)


@pytest.fixture(scope="module")
def plain(nlp) -> ch.Prepared:
    return ch.prepare(PolnearArticle("plain", PLAIN, None, ()), nlp)


@pytest.fixture
def pools() -> ch.Pools:
    return ch.Pools(
        names=[("other", "Paul Ryan"), ("story", "Maria Lopez")],
        pre_roles=[("other", "Gov."), ("story", "Sen.")],
        app_roles=[("other", "a senior adviser to the campaign")],
        places=[("other", "GPE", "Ohio"), ("story", "GPE", "Washington")],
        sentences=[("other", "The governor signed the budget into law late on Friday night.")],
    )


def assert_one_change(pair: ch.Pair) -> None:
    """Outside the recorded spans A and B are identical; inside, something differs."""
    assert len(pair.a_spans) == len(pair.b_spans) >= 1
    edits = [(s, e, pair.b[bs:be]) for (s, e), (bs, be) in zip(pair.a_spans, pair.b_spans, strict=True)]
    rebuilt, a_spans, b_spans = ch.apply_edits(pair.a, edits)
    assert rebuilt == pair.b
    assert (a_spans, b_spans) == (pair.a_spans, pair.b_spans)
    assert any(pair.a[s:e] != pair.b[bs:be] for (s, e), (bs, be) in zip(pair.a_spans, pair.b_spans, strict=True))
    for s, e in pair.a_focus:
        assert 0 <= s <= e <= len(pair.a)
    for s, e in pair.b_focus:
        assert 0 <= s <= e <= len(pair.b)


def changed(pair: ch.Pair) -> tuple[str, str]:
    (s, e), (bs, be) = pair.a_spans[0], pair.b_spans[0]
    return pair.a[s:e], pair.b[bs:be]


def run(gen, src: ch.Prepared, pools: ch.Pools, seed: int = 0) -> ch.Pair | None:
    return gen(src, random.Random(seed), pools)


@pytest.mark.parametrize("seed", range(6))
def test_number_changes_one_number(story, pools, seed):
    pair = run(ch.gen_number, story, pools, seed)
    assert pair is not None and pair.expected == "number_conflict" and pair.a == STORY
    assert_one_change(pair)
    old, new = changed(pair)
    assert old in {"12", "14", "40"} and re.fullmatch(r"\d+", new) and new != old
    if old == "40":
        assert 0 < int(new) < 100  # a percentage stays one


@pytest.mark.parametrize("seed", range(6))
def test_date_changes_one_date(story, pools, seed):
    pair = run(ch.gen_date, story, pools, seed)
    assert pair is not None and pair.expected == "date_conflict"
    assert_one_change(pair)
    old, new = changed(pair)
    assert old in {"Tuesday", "3", "2017"} and new != old
    if old == "Tuesday":
        assert new in ch.WEEKDAYS
    (fs, fe), (s, e) = pair.a_focus[0], pair.a_spans[0]
    assert fs <= s and e <= fe  # the focus is the whole date expression


def test_role_replaced_from_other_articles(story, pools):
    seen = set()
    for seed in range(8):
        pair = run(ch.gen_role, story, pools, seed)
        assert pair is not None and pair.expected == "role_conflict"
        assert_one_change(pair)
        old, new = changed(pair)
        assert old in {"Sen.", "the committee chairman", "a spokeswoman for the committee"}
        assert new in {"Gov.", "a senior adviser to the campaign"}  # never the article's own "Sen."
        seen.add(old)
    assert len(seen) >= 2


def test_speaker_replaced_in_one_attribution_only(story, pools):
    for seed in range(6):
        pair = run(ch.gen_speaker, story, pools, seed)
        assert pair is not None and pair.expected == "attribution_conflict"
        assert_one_change(pair)
        old, new = changed(pair)
        assert (old, new) in {("John Barrasso", "Paul Ryan"), ("Maria Lopez", "Paul Ryan"), ("Lopez", "Ryan")}
        assert len(pair.a_spans) == 1  # the name occurs once in that attribution
        (fs, fe), (s, e) = pair.a_focus[0], pair.a_spans[0]
        assert fs <= s and e <= fe


def test_hedge_dropped_from_b(story, pools):
    pair = run(ch.gen_hedge, story, pools)
    assert pair is not None and pair.expected == "hedge_dropped" and pair.a == STORY
    assert_one_change(pair)
    assert changed(pair) == ("reportedly ", "")
    assert "would cut funding" in pair.b


def test_hedge_added_to_a_where_none(nlp, pools):
    text = STORY.replace("would reportedly cut", "would cut")
    art = _story(text)
    src = ch.prepare(art, nlp)
    pair = run(ch.gen_hedge, src, pools)
    assert pair is not None and pair.b == text  # B is the article, A the hedged version
    assert_one_change(pair)
    old, new = changed(pair)
    assert (old, new) == ("reportedly ", "")
    s, _ = pair.a_spans[0]
    assert pair.a[s:].startswith("reportedly ") and pair.a[s + len("reportedly "):][:1].isalpha()


def test_anonymity_inserted_after_a_named_source(story, pools):
    for seed in range(4):
        pair = run(ch.gen_anonymity, story, pools, seed)
        assert pair is not None and pair.expected == "internal_contradiction" and pair.carrier == "b"
        assert_one_change(pair)
        old, new = changed(pair)
        assert old == "" and "anonymity" in new
        s, _ = pair.a_spans[0]
        assert pair.a[:s].endswith(("John Barrasso", "Maria Lopez"))
        assert pair.b[pair.b_spans[0][1]:][:1] in (",", ".")  # the clause is closed


def test_removed_sentence_is_whole_and_not_first(story, pools):
    for seed in range(6):
        pair = run(ch.gen_removed, story, pools, seed)
        assert pair is not None and pair.expected == "only_in" and pair.carrier == "a"
        assert_one_change(pair)
        old, new = changed(pair)
        assert new == ""
        (fs, fe) = pair.a_focus[0]
        sentence = pair.a[fs:fe]
        assert sentence[0].isupper() or sentence[0] == "\u201c"
        assert sentence.endswith((".", "\u201d")) and sentence.strip() in old.strip()
        assert not pair.a.startswith(sentence) and "The Senate Finance Committee delayed" not in sentence
        assert "  " not in pair.b.replace(STORY, "") and "\n\n\n" not in pair.b


def test_added_sentence_comes_from_another_article(story, pools):
    pair = run(ch.gen_added, story, pools)
    assert pair is not None and pair.expected == "only_in" and pair.carrier == "b"
    assert_one_change(pair)
    old, new = changed(pair)
    assert old == "" and new.strip() == "The governor signed the budget into law late on Friday night."
    assert pair.b[slice(*pair.b_focus[0])] == new.strip()


def test_transliteration_is_consistent(story, pools):
    pair = run(ch.gen_transliteration, story, pools)
    assert pair is not None and pair.expected == "name_variant"
    assert_one_change(pair)
    olds = {pair.a[s:e] for s, e in pair.a_spans}
    news = {pair.b[s:e] for s, e in pair.b_spans}
    assert len(olds) == len(news) == 1
    old, new = olds.pop(), news.pop()
    assert old in {"Barrasso", "Lopez"} and new in ch.transliterations(old)
    assert len(pair.a_spans) == len(re.findall(rf"\b{old}\b", STORY))
    assert not re.search(rf"\b{old}\b", pair.b)


def test_transliteration_rules():
    assert "Kimakovski" in ch.transliterations("Kimakovsky")
    assert "Kimakovsky" in ch.transliterations("Kimakovski")
    assert "Ivanoff" in ch.transliterations("Ivanov")
    assert "Barraso" in ch.transliterations("Barrasso")
    assert "Josef" in ch.transliterations("Joseph")
    assert "Maksim" in ch.transliterations("Maxim")
    assert "Trump" not in ch.transliterations("Trump")


def test_place_replaced_once(story, pools):
    pair = run(ch.gen_place, story, pools)
    assert pair is not None and pair.expected == "place_conflict"
    assert_one_change(pair)
    assert changed(pair) == ("Washington", "Ohio")


def test_controls(story, pools):
    same = run(ch.gen_control, story, pools)
    assert same is not None and same.a == same.b == STORY and same.expected is None
    edited = run(ch.gen_control_edits, story, pools)
    assert edited is not None and edited.expected is None and edited.b != edited.a
    assert_one_change(edited)

    def norm(t: str) -> str:
        return re.sub(r"\s+", " ", t.replace("\u201c", '"').replace("\u201d", '"'))

    assert norm(edited.a) == norm(edited.b)


@pytest.mark.parametrize("kind", [k for k in ch.GENERATORS if not k.startswith("control")])
def test_nothing_to_change(plain, kind):
    empty = ch.Pools()
    assert ch.GENERATORS[kind](plain, random.Random(0), empty) is None


def test_build_pairs_is_deterministic(story, plain, nlp):
    text = STORY.replace("Maria Lopez", "Ann Kerr").replace("Lopez", "Kerr").replace("John Barrasso", "Tim Scott")
    other = ch.prepare(_story(text, "other"), nlp)
    first = ch.build_pairs([story, other, plain], seed=3)
    again = ch.build_pairs([story, other, plain], seed=3)
    assert [(p.article, p.change, p.b) for p in first] == [(p.article, p.change, p.b) for p in again]
    for p in first:
        assert_one_change(p) if p.change != "control" else None
    kinds = {p.change for p in first if p.article == "story"}
    assert {"number", "date", "speaker", "removed_sentence", "added_sentence", "control"} <= kinds


def test_read_ann(tmp_path):
    ann = tmp_path / "x_abcd.ann"
    ann.write_text(
        "T1\tSource 0 5\tSmith\nT2\tCue 6 10\tsaid\nT3\tContent 11 20;25 30\tsomething else\n"
        "T4\tAttribution 6 10\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tContent 40 50\tx\nT6\tAttribution-no-source 35 39\ty\nE2\tAttribution-no-source:T6 Content:T5\n",
        encoding="utf-8",
    )
    first, second = read_ann(ann)
    assert first == Attribution(((0, 5),), ((6, 10),), ((11, 20), (25, 30)))
    assert first.extent == (0, 30)
    assert second.source == () and second.content == ((40, 50),)

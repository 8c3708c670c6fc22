from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mosaicner.data.tokenization import make_document, split_sentences, tokenize


def _sentences(text: str) -> list[str]:
    doc = make_document("d", text)
    return [text[s.start : s.end] for s in doc.sentences]


def test_punctuation_is_split_off_like_the_corpora() -> None:
    assert [t.text for t in tokenize("IL-2Rα (TNF-alpha), 3.5 mg/kg; x_y")] == [
        "IL", "-", "2Rα", "(", "TNF", "-", "alpha", ")", ",", "3", ".", "5", "mg", "/", "kg",
        ";", "x", "_", "y",
    ]  # fmt: skip


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_offsets_index_the_text_and_sentences_cover_all_tokens(text: str) -> None:
    tokens = tokenize(text)
    for t in tokens:
        assert text[t.start : t.end] == t.text and t.text.strip() == t.text
    sentences = split_sentences(text, tokens)
    assert [i for s in sentences for i in range(s.token_start, s.token_end)] == list(
        range(len(tokens))
    )
    for s in sentences:
        assert s.start == tokens[s.token_start].start and s.end == tokens[s.token_end - 1].end


def test_abbreviations_initials_and_numbers_do_not_split() -> None:
    text = "Smith et al. showed e.g. a 3.5-fold rise vs. controls (Fig. 2). J. Doe agreed."
    assert _sentences(text) == [
        "Smith et al. showed e.g. a 3.5-fold rise vs. controls (Fig. 2).",
        "J. Doe agreed.",
    ]


def test_lower_case_gene_symbols_start_sentences() -> None:
    text = "NF-kB was bound. p65 and cAMP rose. the end was near. sIg -induced STAT3 fell."
    assert _sentences(text) == [
        "NF-kB was bound.",
        "p65 and cAMP rose. the end was near.",
        "sIg -induced STAT3 fell.",
    ]


def test_pubmed_title_notes_and_translated_titles() -> None:
    text = (
        "[Receptors in glomerulonephritis.] Content of receptors was low. "
        "Role of IL-2 [see comments] We describe two cases. "
        "Title here [published erratum appears in J Biol Chem 1995; 270: 26721] The host."
    )
    assert _sentences(text) == [
        "[Receptors in glomerulonephritis.]",
        "Content of receptors was low.",
        "Role of IL-2 [see comments]",
        "We describe two cases.",
        "Title here [published erratum appears in J Biol Chem 1995; 270: 26721]",
        "The host.",
    ]
    # an ordinary bracket does not end a sentence
    assert len(_sentences("Cells [n = 5] Were counted.")) == 1


def test_blank_lines_end_sentences() -> None:
    assert _sentences("Title without period\n\nBody text here") == [
        "Title without period",
        "Body text here",
    ]


def test_combining_marks_stay_with_their_letter() -> None:
    text = "cafe\u0301 and re\u0301sume\u0301-like (\u0301)"
    assert [t.text for t in tokenize(text)] == [
        "cafe\u0301", "and", "re\u0301sume\u0301", "-", "like", "(\u0301", ")",
    ]  # fmt: skip

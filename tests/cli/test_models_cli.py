"""`mosaicner models ...` end to end on a tiny recipe: build -> list -> info -> Tagger.load(name)
-> tag; `evaluate --merged` scores exactly what `tag` wrote; `merge-policies` picks a policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.testing.corpora import write_tiny_corpus


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny recipe built into a fresh store (module-scoped: one training run)."""
    pytest.importorskip("torch")
    from mosaicner.testing.tiny import make_tiny_encoder
    from mosaicner.training.recipe import build_recipe

    root = tmp_path_factory.mktemp("store")
    enc = make_tiny_encoder(root / "enc")
    sizes = (("train", 30), ("devel", 10), ("test", 10))
    dis = write_tiny_corpus(root / "dis", ["cancer", "asthma induced"], "Disease", 1, sizes)
    chem = write_tiny_corpus(root / "chem", ["aspirin", "il-2"], "Chemical", 2, sizes)
    recipe = root / "tiny-recipe.yaml"
    recipe.write_text(
        f"corpora:\n  - name: {dis}\n    label_map: original\n"
        f"  - name: {chem}\n    label_map: original\n"
        f"encoder:\n  name: {enc}\n"
        "trainer:\n  max_steps: 4\n  eval_every: 4\n"
        "batching:\n  max_tokens: 100\n"
        "optimizer:\n  head_lr: 0.05\n  encoder_lr: 0.001\n"
        "num_threads: 1\n"
    )
    home = root / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("MOSAICNER_HOME", str(home))
    build_recipe("tiny", recipe=recipe, progress=False)
    yield {"home": home, "recipe": recipe, "dis": dis, "chem": chem, "root": root}
    mp.undo()


def test_build_list_info_load_tag(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    folder = built["home"] / "models" / "tiny"
    for name in ("config.json", "model.safetensors", "merge.json", "results.json", "README.md"):
        assert (folder / name).is_file(), name
    merge = json.loads((folder / "merge.json").read_text())
    assert merge["policy"] == "vote" and merge["cooccurrence"] == []  # flat corpora: no pair
    card = (folder / "README.md").read_text()
    assert "Chemical, Disease" in card and "| dis | test |" in card

    code, out, _ = cli(["models", "list", "--format", "json"], capsys)
    assert code == 0
    (entry,) = json.loads(out)
    assert entry["name"] == "tiny" and entry["types"] == ["Chemical", "Disease"]
    code, out, _ = cli(["models", "info", "tiny"], capsys)
    assert code == 0 and set(json.loads(out)["figures"]) == {"dis", "chem"}

    from mosaicner.inference.tagger import Tagger

    tagger = Tagger.load("tiny")
    assert tagger.source == str(folder) and tagger.merge.policy == "vote"
    doc = tagger("the patients with cancer were treated with aspirin and il-2 .")
    spans = doc.layer("pred")
    assert len({(s.start, s.end, s.label) for s in spans}) == len(spans)
    for s in spans:
        assert s.attrs["heads"] and {h["head"] for h in s.attrs["heads"]} <= {"dis", "chem"}

    text = built["root"] / "in.txt"
    text.write_text("aspirin induced asthma in the patients .\ncancer and il-2 .\n")
    out_file = built["root"] / "out.jsonl"
    code, _, err = cli(["tag", "tiny", "-i", str(text), "-o", str(out_file), "-q"], capsys)
    assert code == 0, err
    rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    for row in rows:
        for sp in row["spans"]["pred"]:
            assert sp["attrs"]["heads"], sp


def test_unknown_model_name_lists_installed(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    text = built["root"] / "in2.txt"
    text.write_text("cancer .\n")
    code, _, err = cli(["tag", "tniy", "-i", str(text), "-o", "-"], capsys)
    assert code == 2 and "tiny" in err and "Traceback" not in err
    code, _, err = cli(["evaluate", "tniy", "--corpus", str(built["dis"])], capsys)
    assert code == 2 and "installed models: tiny" in err
    code, _, err = cli(["models", "build", "tiny", "--recipe", str(built["recipe"])], capsys)
    assert code == 2 and "already installed" in err


def test_evaluate_scores_exactly_what_tag_outputs(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    dis = built["dis"]
    code, out, err = cli(
        ["evaluate", "tiny", "--corpus", str(dis), "--merged", "-f", "json", "--resamples", "0"],
        capsys,
    )
    assert code == 0, err
    merged = json.loads(out)
    pred = built["root"] / "dis-test.jsonl"
    code, _, err = cli(
        ["tag", "tiny", "-i", str(dis / "test.tsv"), "--from", "conll", "-o", str(pred), "-q"],
        capsys,
    )
    assert code == 0, err
    code, out, err = cli(
        [
            "evaluate",
            "--predictions",
            str(pred),
            "--corpus",
            str(dis),
            "-f",
            "json",
            "--resamples",
            "0",
            "--label-map",
            "original",
        ],
        capsys,
    )
    assert code == 0, err
    from_file = json.loads(out)
    assert from_file["documents_without_predictions"] == 0
    assert from_file["micro"] == merged["micro"]
    assert merged["merge_policy"] == "vote"


def test_merge_policies_scores_each_policy_and_writes_the_best(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    code, out, err = cli(["merge-policies", "tiny", "-f", "json"], capsys)
    assert code == 0, err
    res = json.loads(out)
    assert set(res["policies"]) == {"union", "vote", "max-score"}
    assert set(res["corpora"]) == {"dis", "chem"}
    best = res["best"]
    assert best != "union" and res["chosen_from"] == ["vote", "max-score"]
    assert res["policies"][best]["macro_f1"] == max(
        res["policies"][p]["macro_f1"] for p in res["chosen_from"]
    )
    code, out, err = cli(["merge-policies", "tiny", "--write"], capsys)
    assert code == 0, err
    merge = json.loads((built["home"] / "models" / "tiny" / "merge.json").read_text())
    assert merge["policy"] == best and "chosen_on" in merge


def test_predict_merges_like_tag(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    src = built["chem"] / "test.tsv"
    tagged = built["root"] / "chem-tag.jsonl"
    predicted = built["root"] / "chem-predict.jsonl"
    code, _, err = cli(
        ["tag", "tiny", "-i", str(src), "--from", "conll", "-o", str(tagged), "-q"], capsys
    )
    assert code == 0, err
    code, _, err = cli(
        [
            "predict",
            "tiny",
            "-i",
            str(src),
            "--from",
            "conll",
            "-o",
            str(predicted),
            "--to",
            "jsonl",
        ],
        capsys,
    )
    assert code == 0, err

    def pred_layers(path: Path) -> list[list[tuple[int, int, str, list[str]]]]:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        return [
            [
                (s["start"], s["end"], s["label"], [h["head"] for h in s["attrs"]["heads"]])
                for s in row["spans"].get("pred", [])
            ]
            for row in rows
        ]

    got = pred_layers(predicted)
    assert any(got) and got == pred_layers(tagged)


def test_merge_policies_refuse_the_test_split(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    code, _, err = cli(["merge-policies", "tiny", "--split", "test"], capsys)
    assert code == 2 and "never chosen on test data" in err and "Traceback" not in err


def test_models_build_chooses_the_merge_policy_on_dev(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(built["home"]))
    code, out, err = cli(
        ["models", "build", "tiny-sel", "--recipe", str(built["recipe"]), "-q"], capsys
    )
    assert code == 0, err
    assert "merge policy" in out and "dev macro F1" in out
    folder = built["home"] / "models" / "tiny-sel"
    merge = json.loads((folder / "merge.json").read_text())
    store = json.loads((folder / "store.json").read_text())
    chosen = store["merge_selection"]
    assert merge["policy"] == chosen["chosen"] and merge["chosen_on"]["split"] == "dev"
    assert merge["chosen_on"]["chosen_from"] == ["vote", "max-score"]
    assert "not eligible: union" in (folder / "README.md").read_text()
    assert set(chosen["corpora"]) == {"dis", "chem"} and chosen["skipped"] == {}
    assert chosen["chosen"] in ("vote", "max-score")
    assert chosen["macro_f1"][chosen["chosen"]] == max(
        chosen["macro_f1"][p] for p in ("vote", "max-score")
    )
    code, _, _ = cli(["models", "remove", "tiny-sel"], capsys)
    assert code == 0

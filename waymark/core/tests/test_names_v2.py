"""Golden tests for version 2 of name preparation: particles, joined tokens, match keys."""

from waymark.core.names import (
    deletions,
    is_particle,
    match_keys,
    name_forms,
    phonetic,
    query_keys,
    query_units,
    script_of,
    skeleton,
    skeleton_similarity,
    within_one_edit,
)


def test_it_detects_the_script():
    assert script_of("محمد حسين") == "arabic"
    assert script_of("ተስፋይ") == "ethiopic"
    assert script_of("Mohamed") == "latin"
    assert script_of("123") == ""


def test_persian_v_and_w_meet():
    assert skeleton("Javad") == skeleton("Jawad") == skeleton("جواد")
    assert skeleton("Vahid") == skeleton("Wahid")


def test_particles_apart_or_joined_meet():
    assert "lbd" in name_forms("العبيدي")
    assert "lbd" in query_units("Al Ubaidi")[0]
    assert "bnl" in name_forms("Ben Ali") and "bnl" in name_forms("Benali")
    assert "rhmn" in name_forms("Abdulrahman") and query_units("Abdul Rahman") == [["rhmn", "bdlrhmn"]]
    assert is_particle("al") and is_particle("bin") and not is_particle("Ali")


def test_phonetic_code_folds_voicing():
    assert phonetic(skeleton("Mohamed")) == phonetic(skeleton("Mohamet")) == phonetic(skeleton("Mehmet"))


def test_one_edit_is_found_through_shared_keys():
    record = set(match_keys([skeleton("Mohamed")]))
    assert record & set(query_keys(skeleton("Mohaned")))  # mhmd / mhnd: one substitution
    assert record & set(query_keys(skeleton("Mohamd")))
    assert not record & set(query_keys(skeleton("Yohannes")))
    assert deletions("mhmd") == ["hmd", "mhd", "mhm", "mmd"]
    # v3: three-letter skeletons have one-deletion keys too (lookups are capped): Tekle / Tekoe.
    assert deletions("hsn") == ["hn", "hs", "sn"]
    assert deletions("hs") == []


def test_similarity_says_how_names_agreed():
    assert skeleton_similarity("mhmd", "mhmd") == (1.0, "same")
    assert skeleton_similarity("mhmd", "mhmt") == (0.9, "sound")
    assert skeleton_similarity("tkl", "thl") == (0.8, "one edit")
    assert skeleton_similarity("hbt", "hbtmrm") == (0.7, "prefix")
    assert skeleton_similarity("mhmd", "hsn")[0] == 0.0
    assert within_one_edit("hsbn", "hsnb") and not within_one_edit("hsn", "mhmd")

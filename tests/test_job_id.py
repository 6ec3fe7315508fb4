import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate_reset.job_id import (
    MAX_JOB_ID_LENGTH,
    MAX_JOB_INDEX,
    JobId,
    normalize_pipeline_id,
    parse_job_id,
)

DOC_JDBC = "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0"
DOC_S3 = "c5d92e18_4f31_4a2b_9c8d_67890fghijk0_0"  # not hex: must still be accepted


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        (DOC_JDBC, DOC_JDBC),
        (DOC_S3, DOC_S3),
        ("a9f82c14_7e21_4b5a_8c9d_12345abcdef0_0", "a9f82c14_7e21_4b5a_8c9d_12345abcdef0_0"),
        ("1b33ad2f-33d3-4837-9eeb-83c82c8b909d_0", DOC_JDBC),
        ("1b33ad2f-33d3-4837-9eeb-83c82c8b909d-0", DOC_JDBC),
        ("1B33AD2F_33D3_4837_9EEB_83C82C8B909D_0", DOC_JDBC),
        ("1B33ad2f-33d3_4837-9EEB_83c82c8b909d-0", DOC_JDBC),
        ("1b33ad2f_33d3_4837_9eeb_83c82c8b909d_12", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_12"),
        ("1b33ad2f_33d3_4837_9eeb_83c82c8b909d_007", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_7"),
        (
            f"1b33ad2f_33d3_4837_9eeb_83c82c8b909d_{MAX_JOB_INDEX}",
            f"1b33ad2f_33d3_4837_9eeb_83c82c8b909d_{MAX_JOB_INDEX}",
        ),
    ],
)
def test_accepted_ids_normalize(text, normal):
    assert str(parse_job_id(text)) == normal


def test_parts():
    assert parse_job_id("1B33AD2F-33D3-4837-9EEB-83C82C8B909D-3") == JobId(
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d", 3
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "invalid_job_id",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d",  # no index
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_",  # empty index
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d__0",  # extra separator
        "1b33ad2f__33d3_4837_9eeb_83c82c8b909d_0",
        "_1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0_",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0_1",
        "1b33ad2f33d348379eeb83c82c8b909d_0",  # no group separators
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909_0",  # group too short
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909dd_0",  # group too long
        "1b33ad2f.33d3.4837.9eeb.83c82c8b909d_0",  # other separator
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_+1",  # sign
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_-1",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_1.0",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_1e3",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0x1",
        f"1b33ad2f_33d3_4837_9eeb_83c82c8b909d_{MAX_JOB_INDEX + 1}",  # past BIGINT
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_" + "9" * 30,  # huge index
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_" + "1" * 10_000,  # 10 KB id
        " 1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0",  # whitespace
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0 ",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0\n",  # a $-anchored regex would take it
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_\u0661",  # Arabic-Indic digit one
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_\uff11",  # fullwidth digit one
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909\u212a_0",  # Kelvin sign, folds to k
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909\u00e9_0",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0\x00",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0' OR '1'='1",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0;DROP TABLE jobstate_jobs;--",
        "%_%",
        "1b33ad2f_33d3_4837_9eeb_%_0",
        "../1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d/0",
    ],
)
def test_rejected_ids(text):
    assert parse_job_id(text) is None


def test_length_cap_leaves_room_for_every_valid_id():
    longest = f"1b33ad2f_33d3_4837_9eeb_83c82c8b909d_{MAX_JOB_INDEX}"
    assert len(longest) <= MAX_JOB_ID_LENGTH
    # leading zeros past the cap are refused without looking further
    assert parse_job_id("1b33ad2f_33d3_4837_9eeb_83c82c8b909d_" + "0" * 40 + "1") is None


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("1b33ad2f_33d3_4837_9eeb_83c82c8b909d", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d"),
        ("1B33AD2F-33D3-4837-9EEB-83C82C8B909D", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d"),
        ("c5d92e18_4f31_4a2b_9c8d_67890fghijk0", "c5d92e18_4f31_4a2b_9c8d_67890fghijk0"),
        ("1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0", None),
        ("invalid", None),
        ("x" * 10_000, None),
    ],
)
def test_pipeline_ids(text, normal):
    assert normalize_pipeline_id(text) == normal


_ALNUM = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")


def _group(size):
    return st.lists(_ALNUM, min_size=size, max_size=size).map("".join)


_pipelines = st.tuples(*(_group(n) for n in (8, 4, 4, 4, 12)))
_separators = st.lists(st.sampled_from("_-"), min_size=5, max_size=5)


@given(_pipelines, _separators, st.integers(0, MAX_JOB_INDEX), st.booleans())
def test_any_spelling_of_a_job_id_normalizes_to_one_form(groups, seps, index, upper):
    text = "".join(g + s for g, s in zip(groups, seps, strict=True)) + str(index)
    if upper:
        text = text.upper()
    assert parse_job_id(text) == JobId("_".join(groups), index)
    # the normal form is a fixed point
    assert str(parse_job_id(str(parse_job_id(text)))) == str(parse_job_id(text))


@given(st.text(max_size=80))
def test_arbitrary_text_is_either_refused_or_a_well_formed_job_id(text):
    job_id = parse_job_id(text)
    if job_id is not None:
        assert str(job_id) == str(job_id).lower()
        assert parse_job_id(str(job_id)) == job_id
        assert text.isascii()

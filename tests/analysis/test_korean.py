"""Korean particles follow the final sound of the word as spoken, Latin letters and digits too."""

from __future__ import annotations

import pytest

from aigap.i18n.korean import (
    by,
    final_consonant,
    has_batchim,
    join_en,
    join_ko,
    obj,
    particle,
    subject,
    topic,
    with_,
)


@pytest.mark.parametrize(("word", "top", "subj", "ob", "and_", "by_"), [
    ("한국", "한국은", "한국이", "한국을", "한국과", "한국으로"),          # 받침 ㄱ
    ("싱가포르", "싱가포르는", "싱가포르가", "싱가포르를", "싱가포르와", "싱가포르로"),  # 없음
    ("인재", "인재는", "인재가", "인재를", "인재와", "인재로"),
    ("서울", "서울은", "서울이", "서울을", "서울과", "서울로"),          # ㄹ + (으)로 -> 로
    ("연구원", "연구원은", "연구원이", "연구원을", "연구원과", "연구원으로"),
    ("인프라·컴퓨팅", "인프라·컴퓨팅은", "인프라·컴퓨팅이", "인프라·컴퓨팅을",
     "인프라·컴퓨팅과", "인프라·컴퓨팅으로"),
])
def test_hangul_words(word: str, top: str, subj: str, ob: str, and_: str, by_: str) -> None:
    assert (topic(word), subject(word), obj(word), with_(word), by(word)) == \
        (top, subj, ob, and_, by_)


@pytest.mark.parametrize(("word", "expected"), [
    ("AI", "AI는"),        # 에이아이
    ("R&D", "R&D는"),      # 알앤디
    ("OECD", "OECD는"),    # 오이시디
    ("LLM", "LLM은"),      # 엘엘엠
    ("IBM", "IBM은"),
    ("5G", "5G는"),        # 오지
    ("2024", "2024는"),    # 이천이십사
    ("2020", "2020은"),    # 이천이십
    ("10", "10은"),        # 십
    ("1,000", "1,000은"),  # 천
    ("7", "7은"),          # 칠
    ("3.5", "3.5는"),      # 삼점오
    ("Google", "Google은"),
    ("Talent", "Talent는"),  # 탤런트
])
def test_latin_letters_and_digits_are_read_in_korean(word: str, expected: str) -> None:
    assert topic(word) == expected


def test_subject_and_instrumental_after_latin_and_digits() -> None:
    assert subject("R&D") == "R&D가" and subject("AI") == "AI가"
    assert by("7") == "7로" and by("3") == "3으로" and by("2") == "2로"  # 칠로, 삼으로, 이로
    assert by("LLM") == "LLM으로" and by("URL") == "URL로"  # 엠으로, 엘로


def test_parentheses_and_quotes_are_skipped() -> None:
    assert with_("투자·상업화(6.2점)") == "투자·상업화(6.2점)와"
    assert with_("미국(78.4점)") == "미국(78.4점)과"
    assert topic("“정책”") == "“정책”은"


def test_unknown_final_sound_writes_both_forms() -> None:
    assert has_batchim("#") is None and final_consonant("") is None
    assert topic("x#") == "x#은(는)"


def test_particle_accepts_either_member_and_rejects_others() -> None:
    assert particle("한국", "는") == particle("한국", "은/는") == "한국은"
    assert particle("인재", "과") == "인재와"
    with pytest.raises(ValueError, match="unknown particle"):
        particle("한국", "에게")


def test_join_ko_like_a_korean_writer() -> None:
    assert join_ko(["인프라", "정책"]) == "인프라와 정책"
    assert join_ko(["연구", "인재"]) == "연구와 인재"
    assert join_ko(["인재", "연구", "투자"]) == "인재, 연구, 투자"
    assert join_ko(["인재", "연구", "투자"], "and_last") == "인재, 연구와 투자"
    assert join_ko(["정부", "인재", "연구"], "and_last") == "정부, 인재와 연구"
    assert join_ko(["한국", "일본"], "dot") == "한국·일본"
    assert join_ko(["인재"]) == "인재" and join_ko([]) == ""


def test_join_en() -> None:
    assert join_en(["Talent"]) == "Talent"
    assert join_en(["Talent", "Research"]) == "Talent and Research"
    assert join_en(["A", "B", "C"]) == "A, B and C"

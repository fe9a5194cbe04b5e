"""User-interface strings of the dashboard in English and Korean.

Analysis modules carry their own labels (tournament, robustness figures); this table holds the
words of the pages themselves. Korean is written as a Korean analyst would read it, not
word-for-word.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "ko")
DEFAULT_LANG = "en"

# key -> (English, Korean)
STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("aigap — AI competitiveness gap", "aigap — AI 경쟁력 격차 진단"),
    "nav_ranking": ("Ranking", "순위"),
    "nav_country": ("Korea", "한국"),
    "nav_tournament": ("Sovereign AI programme", "독자 AI 모델 프로젝트"),
    "lang_switch": ("한국어", "English"),
    "lang_switch_label": ("Switch language to Korean", "언어를 영어로 바꾸기"),
    "skip_to_content": ("Skip to content", "본문으로 건너뛰기"),
    # ranking page
    "ranking_title": ("AI capacity ranking", "AI 역량 순위"),
    "ranking_intro": (
        "Move the pillar weights and the ranking is recomputed from the cached pillar scores "
        "(no rebuild of the index).",
        "부문별 가중치를 바꾸면 미리 계산된 부문 점수로 순위를 즉시 다시 계산합니다 "
        "(지수 전체를 다시 만들지 않습니다).",
    ),
    "weights": ("Pillar weights", "부문별 가중치"),
    "weight": ("weight", "가중치"),
    "reset_weights": ("Reset to equal weights", "가중치 초기화(동일 가중)"),
    "rank": ("Rank", "순위"),
    "country": ("Country", "국가"),
    "score": ("Score", "점수"),
    "index_score": ("Index score", "종합 점수"),
    "scores_chart": ("Index scores", "종합 점수"),
    "top_n_shown": ("top 30 shown", "상위 30개국 표시"),
    "rank_intervals": ("Rank intervals (robustness)", "순위 구간(강건성 분석)"),
    "rank_intervals_note": (
        "5–95% rank interval over Monte Carlo replications that vary weights and methods.",
        "가중치와 방법을 무작위로 바꾼 몬테카를로 반복에서 얻은 5–95% 순위 구간입니다.",
    ),
    "loading": ("Loading…", "불러오는 중…"),
    "not_available": ("Not available.", "사용할 수 없습니다."),
    "units_ranked": ("countries ranked", "개국 순위"),
    "changed_rank": ("rank changed", "순위 변동"),
    # country page
    "country_title": ("Country profile", "국가 프로필"),
    "profile": ("Pillar profile", "부문별 프로필"),
    "rank_of": ("rank {rank} of {n}", "{n}개국 중 {rank}위"),
    "gaps": ("Gaps to the USA, China and the leader", "미국·중국·1위 국가와의 격차"),
    "gaps_note": (
        "Values used in the index (latest in the index window). Ratio: comparator ÷ {unit}.",
        "지수에 쓰인 값(지수 기간 중 최신값)입니다. 배율: 비교 국가 ÷ {unit}.",
    ),
    "indicator": ("Indicator", "지표"),
    "pillar": ("Pillar", "부문"),
    "leader": ("Leader", "1위 국가"),
    "ratio": ("ratio", "배율"),
    "unit_of_measure": ("Unit", "단위"),
    "trend": ("Trend", "추세"),
    "trend_indicator": ("Indicator for the trend", "추세를 볼 지표"),
    "show": ("Show", "보기"),
    "log_scale": ("log scale", "로그 척도"),
    "year": ("Year", "연도"),
    "value": ("Value", "값"),
    "no_trend": ("Too few years of data for a trend.",
                 "추세를 계산할 만큼 연도별 자료가 없습니다."),
    "strengths": ("Strengths", "강점"),
    "weaknesses": ("Weaknesses", "약점"),
    "strengths_note": (
        "Indicators where the country ranks highest / lowest among the {n} countries "
        "in the index.",
        "지수에 포함된 {n}개국 가운데 순위가 가장 높은 / 낮은 지표입니다.",
    ),
    "ind_rank": ("rank", "순위"),
    "what_it_takes": ("What it takes to reach rank {k}", "{k}위 달성 조건"),
    "ranked_n": ("Ranking of {n} countries", "{n}개국 순위"),
    "target_rank": ("Target rank", "목표 순위"),
    "compute": ("Compute", "계산"),
    "moves": ("Cheapest indicator changes", "가장 적은 비용의 지표 개선안"),
    "from": ("from", "현재"),
    "to": ("to", "목표"),
    "change_pct": ("change", "변화율"),
    "score_gain": ("score gain", "점수 상승"),
    "already_there": ("Already at or above that rank.", "이미 목표 순위 이상입니다."),
    "unknown_country": ("Unknown country", "알 수 없는 국가"),
    "not_in_index": ("This country is not in the index.", "이 국가는 지수에 포함되지 않습니다."),
    # tournament page
    "tournament_title": ("Sovereign-AI programme simulation", "독자 AI 모델 프로젝트 시뮬레이션"),
    "tournament_intro": (
        "A staged evaluation cuts teams stage by stage. How often does the truly best team "
        "win? Move the evaluation noise to see.",
        "단계별 평가로 팀을 줄여 나갈 때 실제로 가장 뛰어난 팀이 선발될 확률은 얼마일까요? "
        "평가 잡음을 바꿔 보세요.",
    ),
    "noise": ("Evaluation noise (sd)", "평가 잡음(표준편차)"),
    "simulations": ("simulated tournaments", "회 시뮬레이션"),
    "metric": ("Metric", "지표"),
    "se": ("MC s.e.", "몬테카를로 표준오차"),
    "error": ("Error", "오류"),
    "not_found_title": ("Not found", "찾을 수 없음"),
    # pillars of the aigap index
    "Talent": ("Talent", "인재"),
    "Research": ("Research", "연구"),
    "Investment & Commercial": ("Investment & Commercial", "투자·상업화"),
    "Infrastructure & Compute": ("Infrastructure & Compute", "인프라·컴퓨팅"),
    "Government & Policy": ("Government & Policy", "정부·정책"),
    "Index": ("Index", "종합 지수"),
}


def normalise_lang(lang: str | None) -> str:
    """``lang`` if it is a supported language, else the default."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The UI string ``key`` in ``lang``; unknown keys come back as themselves (pillar codes of
    other specs, for example), so a missing translation never breaks a page."""
    pair = STRINGS.get(key)
    text = key if pair is None else pair[1 if lang == "ko" else 0]
    return text.format(**fmt) if fmt else text


def table(lang: str, keys: Mapping[str, str] | None = None) -> dict[str, str]:
    """All strings in ``lang`` (for the page's JavaScript)."""
    return {k: t(k, lang) for k in (keys or STRINGS)}

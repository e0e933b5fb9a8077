"""Where a company is: prefectures and the eight customary regions (地方区分) of Japan.

Ranking gives continuity credit to a successor near the withdrawing company (staff, suppliers
and test facilities can follow a short move); Okinawa goes with Kyushu, as in most statistics.
"""

from __future__ import annotations

_REGION_PREFECTURES: dict[str, tuple[str, ...]] = {
    "北海道": ("北海道",),
    "東北": ("青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"),
    "関東": ("茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"),
    "中部": ("新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県"),
    "近畿": ("三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"),
    "中国": ("鳥取県", "島根県", "岡山県", "広島県", "山口県"),
    "四国": ("徳島県", "香川県", "愛媛県", "高知県"),
    "九州・沖縄": ("福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"),
}
REGION_OF_PREFECTURE: dict[str, str] = {
    prefecture: region for region, prefectures in _REGION_PREFECTURES.items() for prefecture in prefectures
}


def region_of(prefecture: str | None) -> str | None:
    """The region of a prefecture written in full (愛知県), or None when unknown."""
    return REGION_OF_PREFECTURE.get(prefecture.strip()) if prefecture else None

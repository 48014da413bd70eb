"""Words for generated benchmark data (cases.generated): names, subjects and posts in Japanese
and English, drawn with the generator's seeded random source so a seed always gives the same
text. Made-up data for measuring, never shown to a real customer, so none of it is translated.
"""

import random

COMPANY_STEMS = [
    "サンプル",
    "東京",
    "大阪",
    "みらい",
    "さくら",
    "富士",
    "北斗",
    "青葉",
    "日の出",
    "ひかり",
    "瑞穂",
    "Acme",
    "Nordic",
    "Blue Harbor",
    "Kestrel",
]
COMPANY_KINDS = [
    "商事",
    "工業",
    "電機",
    "システムズ",
    "製作所",
    "物産",
    "ソリューションズ",
    "運輸",
    "建設",
    "食品",
]

FAMILY_NAMES_JA = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN_NAMES_JA = ["由紀", "健", "美咲", "翔太", "陽子", "大輔", "彩", "直樹", "真由美", "拓也"]
FAMILY_NAMES_EN = ["Smith", "Johnson", "Brown", "Taylor", "Novak", "Horvath", "Kovac", "Miller"]
GIVEN_NAMES_EN = ["John", "Anna", "Peter", "Maria", "David", "Eva", "Martin", "Laura"]

SUBJECTS_JA = [
    "駆除できないウイルスがあります",
    "検出後も警告が繰り返し表示される",
    "ライセンス数の確認",
    "アップグレード後に管理コンソールへ接続できない",
    "スケジュールスキャンが開始されない",
    "誤検知と思われるファイルについて",
    "ポリシー設定の相談",
    "アクティベーションに失敗する",
    "HealthCheck の実施について",
    "不審な通信のアラートについて",
]
SUBJECTS_EN = [
    "Scheduled scan does not start",
    "Agent does not connect after the upgrade",
    "Possible false positive on an in-house tool",
    "Licence count does not match",
    "Suspicious outbound connections flagged",
    "How to exclude a folder from real-time scanning",
]

DESCRIPTION_LINES = [
    "検出されたウイルスが駆除できません。",
    "ログを添付します。ご確認をお願いいたします。",
    "対象の端末は約 50 台です。",
    "再起動後も同じ現象が発生します。",
    "The issue started after last week's update.",
    "It happens on several machines in the same network.",
    "We collected the logs with ESET Log Collector.",
]

CUSTOMER_LINES = [
    "ご回答ありがとうございます。",
    "手順のとおり実施しましたが、状況は変わりません。",
    "ログを再取得して添付しました。",
    "本日中にご連絡いただけますと幸いです。",
    "Thank you, the scan now starts as expected.",
    "We still see the warning on two machines.",
    "Attached are the logs you asked for.",
    "Could you tell us when a fix is expected?",
]
OPERATOR_LINES = [
    "お問い合わせいただきありがとうございます。",
    "ESET Log Collector でログを取得し、添付してください。",
    "検出エンジンを最新に更新したうえで、再度スキャンをお試しください。",
    "設定手順はこちらをご参照ください: https://help.eset.com/ees/11/ja-JP/",
    "Thank you for the details. We are checking the logs now.",
    "Please update the detection engine and run the scan again.",
    "The steps are described at https://help.eset.com/protect_admin/latest/en-US/",
    "We escalated this to our analysts and will reply by tomorrow.",
]
INTERNAL_LINES = [
    "社内メモ: 開発チームに確認中。",
    "Internal: same pattern as last month's tickets, see the knowledge base.",
]

LOG_LINES = [
    "2025-01-10 09:12:44 Scan started: C:\\",
    "2025-01-10 09:30:02 Threat found: Win32/Agent.XYZ",
    "2025-01-10 09:30:03 Action: cleaned by deleting",
    "2025-01-10 10:01:17 Module update: success",
    "2025-01-10 10:05:55 Connection to ESET PROTECT: ok",
]
ATTACHMENT_NAMES = {
    "text": ["eset-log-collector.txt", "scan.log", "設定一覧.txt", "events.csv"],
    "pdf": ["report.pdf", "サービスプラン.pdf", "scheduler-guide.pdf"],
    "png": ["screenshot.png", "スクリーンショット.png", "warning.png"],
}


def company_name(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_STEMS)}{rng.choice(COMPANY_KINDS)}株式会社"


def person_name(rng: random.Random, language: str) -> str:
    if language == "ja":
        return f"{rng.choice(FAMILY_NAMES_JA)} {rng.choice(GIVEN_NAMES_JA)}"
    return f"{rng.choice(GIVEN_NAMES_EN)} {rng.choice(FAMILY_NAMES_EN)}"


def subject(rng: random.Random) -> str:
    return rng.choice(SUBJECTS_JA if rng.random() < 0.7 else SUBJECTS_EN)


def description(rng: random.Random) -> str:
    return "\n".join(rng.sample(DESCRIPTION_LINES, rng.randint(1, 3)))


def message_body(rng: random.Random, *, by_operator: bool, internal: bool = False) -> str:
    """One to three lines (line breaks kept by the page), some with a link."""
    if internal:
        return rng.choice(INTERNAL_LINES)
    lines = OPERATOR_LINES if by_operator else CUSTOMER_LINES
    return "\n".join(rng.sample(lines, rng.randint(1, 3)))


def attachment_content(rng: random.Random, kind: str, label: str) -> bytes:
    """A tiny file whose first bytes pass the upload checks for its kind (cases.uploads)."""
    if kind == "pdf":
        return f"%PDF-1.7\n% generated {label}\n%%EOF\n".encode()
    if kind == "png":
        return b"\x89PNG\r\n\x1a\n" + label.encode() + b"\n"
    lines = rng.choices(LOG_LINES, k=rng.randint(1, 12))
    return f"ESET Log Collector (generated {label})\n{chr(10).join(lines)}\n".encode()

"""The site settings in `content/site.yaml`: a typed schema, one docstring per field."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.errors import Problems
from site_builder.yamlio import YamlProblem, read_yaml


@dataclass(frozen=True)
class Contact:
    phone: str
    """Telephone for objections and questions, as the notice gives it (an office line, not a person's)."""
    email: str
    """Office e-mail address for objections."""
    address: str
    """Postal address of the office that receives written objections."""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    """Site title, shown in every page's header and in the browser tab."""
    short_title: str
    """Short title for narrow screens and the feed."""
    publisher: str
    """Who publishes the results (the bureau); shown in the footer."""
    office: str
    """The office that runs the assessment and receives objections."""
    base_url: str
    """Absolute http(s) URL where `output/` is hosted; used only for absolute links (feed, article)."""
    contact: Contact
    """How the public reaches the office."""
    wechat_article: bool = True
    """Build the WeChat article and its preview (turn off for roll-ups too big for one article)."""


def load_config(path: Path, rel: str, problems: Problems) -> SiteConfig | None:
    try:
        data, duplicates = read_yaml(path)
    except (YamlProblem, OSError) as exc:
        problems.add(rel, f"无法读取网站设置：{exc}", line=getattr(exc, "line", None))
        return None
    for key, _first, again in duplicates:
        problems.add(rel, f"键 {key} 重复出现", line=again)
    if not isinstance(data, dict):
        problems.add(rel, "网站设置须为映射")
        return None
    before = len(problems.items)
    allowed = [f.name for f in fields(SiteConfig)]
    for key in data:
        if key not in allowed:
            problems.add(rel, f"未知字段 {key}；允许的字段：{'、'.join(allowed)}")
    for name in allowed:
        if name == "contact" or name == "wechat_article":
            continue
        if not isinstance(data.get(name), str) or not data[name].strip():
            problems.add(rel, f"缺少 {name}，或不是文字")
    base_url = data.get("base_url")
    if isinstance(base_url, str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", base_url):
            problems.add(rel, f"base_url 须为以 http:// 或 https:// 开头的完整网址，实为 {base_url}")
    contact = data.get("contact")
    contact_fields = [f.name for f in fields(Contact)]
    if not isinstance(contact, dict) or any(not isinstance(contact.get(k), str) for k in contact_fields):
        problems.add(rel, f"contact 须包含 {'、'.join(contact_fields)}")
    if len(problems.items) > before:
        return None
    wechat_article = data.get("wechat_article", True)
    if not isinstance(wechat_article, bool):
        problems.add(rel, "wechat_article 须为 true 或 false")
        return None
    url = base_url if base_url.endswith("/") else base_url + "/"
    return SiteConfig(
        title=data["title"].strip(),
        short_title=data["short_title"].strip(),
        publisher=data["publisher"].strip(),
        office=data["office"].strip(),
        base_url=url,
        contact=Contact(**{k: str(contact[k]).strip() for k in contact_fields}),
        wechat_article=wechat_article,
    )

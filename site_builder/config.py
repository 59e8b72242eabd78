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
    # -- site identity (政府网站发展指引): shown in every page's footer where given, read by crawlers --
    sponsor: str | None = None
    """主办单位: the body the site belongs to, e.g. 忻州市人力资源和社会保障局. `--publish` refuses without it."""
    organizer: str | None = None
    """承办单位 (optional): the body that runs the site day to day, where it differs from the sponsor."""
    site_id_code: str | None = None
    """网站标识码: the 10-character code the 全国政府网站信息报送系统 assigns (10 digits, or `bm` and 8
    digits for a ministry), e.g. 1409000001. Also the `SiteIDCode` page metadata. `--publish` refuses
    without it."""
    icp: str | None = None
    """ICP备案号, e.g. 晋ICP备12345678号 (a `-1` style suffix allowed); linked to https://beian.miit.gov.cn/."""
    police_record: str | None = None
    """公安机关备案号 (optional), e.g. 晋公网安备14090202000123号; linked to the MPS filing site."""
    conac_url: str | None = None
    """党政机关网站标识 (optional): the absolute http(s) link the 开办 authority issued (shown as a text link;
    the site loads nothing from another host, so not as the usual remote image)."""
    error_report_url: str | None = None
    """我为政府网站找错 (optional): the absolute http(s) link of the 政府网站找错 entry for this site."""


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
    identity = _identity(data, rel, problems)
    for name in allowed:
        if name in ("contact", "wechat_article") or name in IDENTITY_FORMATS:
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
        **identity,
    )


IDENTITY_FORMATS = {
    # key: (label, pattern or None for a URL, example)
    "sponsor": ("主办单位", None, "忻州市人力资源和社会保障局"),
    "organizer": ("承办单位", None, "忻州市职业技能服务中心"),
    "site_id_code": ("网站标识码", re.compile(r"(\d{10}|bm\d{8})"), "1409000001（10 位数字；部门网站为 bm 加 8 位数字）"),
    "icp": ("ICP备案号", re.compile(r"[\u4e00-\u9fff]ICP备\d{6,10}号(-\d{1,3})?"), "晋ICP备12345678号"),
    "police_record": ("公安机关备案号", re.compile(r"[\u4e00-\u9fff]公网安备 ?\d{14}号"), "晋公网安备14090202000123号"),
    "conac_url": ("党政机关网站标识链接", "url", "https://bszs.conac.cn/sitename?method=show&id=…"),
    "error_report_url": ("“我为政府网站找错”链接", "url", "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?…"),
}


def _identity(data: dict, rel: str, problems: Problems) -> dict[str, str | None]:
    """The site identity keys: each optional here (null or absent); `--publish` demands sponsor and
    site_id_code. A value given must have the form the national rules give it."""
    out: dict[str, str | None] = {}
    for key, (label, form, example) in IDENTITY_FORMATS.items():
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            out[key] = None
            continue
        if isinstance(value, int) and key == "site_id_code":
            value = str(value)  # an unquoted 10-digit code reads as a number
        if not isinstance(value, str):
            problems.add(rel, f"{key}（{label}）须为文字或 null，如 {example}")
            continue
        value = value.strip()
        if form == "url":
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)
        else:
            ok = form is None or form.fullmatch(value) is not None
        if not ok:
            problems.add(rel, f"{key}（{label}）格式不对：{value}；应如 {example}")
            continue
        out[key] = value
    return out

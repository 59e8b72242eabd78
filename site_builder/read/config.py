"""The site settings in `content/site.yaml`: a typed schema, one docstring per field."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from site_builder.common.addresses import NOT_ABSOLUTE, masked, url_problem
from site_builder.common.textcheck import gate_findings, gate_message
from site_builder.common.yamlio import YamlProblem, read_yaml
from site_builder.domain.settings import Contact, SiteConfig
from site_builder.errors import Problems


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
    for where, bad in gate_findings(data):
        problems.add(rel, gate_message(where, bad))
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
        problem = url_problem(base_url, folder=True)
        if problem == NOT_ABSOLUTE:
            problems.add(rel, f"base_url 须为以 http:// 或 https:// 开头的完整网址，实为 {masked(base_url)}")
        elif problem:
            problems.add(rel, f"base_url（网站地址）{masked(base_url)}：{problem}")
    contact = data.get("contact")
    contact_fields = [f.name for f in fields(Contact)]
    if not isinstance(contact, dict) or any(not isinstance(contact.get(k), str) for k in contact_fields):
        problems.add(rel, f"contact 须包含 {'、'.join(contact_fields)}")
    if len(problems.items) > before or not isinstance(base_url, str) or not isinstance(contact, dict):
        return None  # (a base_url or contact of another type is one of the problems just reported)
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
    "site_id_code": (
        "网站标识码",
        re.compile(r"(\d{10}|bm\d{8})"),
        "1409000001（10 位数字；部门网站为 bm 加 8 位数字）",
    ),
    "icp": ("ICP备案号", re.compile(r"[\u4e00-\u9fff]ICP备\d{6,10}号(-\d{1,3})?"), "晋ICP备12345678号"),
    "police_record": ("公安机关备案号", re.compile(r"[\u4e00-\u9fff]公网安备 ?\d{14}号"), "晋公网安备14090202000123号"),
    "conac_url": ("党政机关网站标识链接", "url", "https://bszs.conac.cn/sitename?method=show&id=…"),
    "error_report_url": (
        "“我为政府网站找错”链接",
        "url",
        "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?…",
    ),
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
        problem = url_problem(value) if form == "url" else None
        if problem and problem != NOT_ABSOLUTE:
            problems.add(rel, f"{key}（{label}）{masked(value)}：{problem}")
            continue
        if problem or isinstance(form, re.Pattern) and form.fullmatch(value) is None:
            problems.add(rel, f"{key}（{label}）格式不对：{masked(value)}；应如 {example}")
            continue
        out[key] = value
    return out

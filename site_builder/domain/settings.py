"""The site settings (`content/site.yaml`) as a typed record: one docstring per field.

Read and checked by `read.config`; used by the models and every output."""

from __future__ import annotations

from dataclasses import dataclass


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

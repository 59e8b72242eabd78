"""The office's documents (公文): the 公告 as a GB/T 9704 .docx, a 考核结果通知书 per institution, the
工作报告 draft and the 新闻通稿, from the same validated data and computations as the site. Internal
documents: written outside the published site, never into it.

May import: everything below it, up to `publish` (the privacy scan).
"""

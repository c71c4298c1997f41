"""Notifications: what to tell whom about alarms, rendered per locale and sent by channels.

- :mod:`.model`: :class:`~.model.Notice` (what to send) and :class:`~.model.Delivery` (a
  channel's answer);
- :mod:`.templates`: one :class:`~.templates.Rendered` text set per notice (title, plain,
  HTML, Markdown, one SMS line) in ``zh-CN`` or ``en``;
- :mod:`.channels`: the plugins that deliver (in-app, email, SMS gateway, signed webhook,
  WeCom and DingTalk group robots).
"""

"""The data subject's rights under UU PDP 27/2022: an employee's data exported (``sinawai pegawai ekspor``,
/datasaya) and anonymised (``sinawai pegawai hapus``).

``subject`` (pure) says which Telegram accounts and which moments belong to the employee and what stands in
for them after anonymisation; ``store`` reads and anonymises in MySQL; ``export`` (pure) writes the JSON and
the Indonesian summary; ``service`` answers /datasaya in the bot.
"""

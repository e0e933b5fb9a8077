"""Designated secrets (装備品等秘密, Art. 27 of the Act on strengthening the defense production
and technology base, 令和5年法律第54号): which handed-in documents the Minister designated, until
when, why; renewals and lifting; who may receive copies of them; the register with their holders."""

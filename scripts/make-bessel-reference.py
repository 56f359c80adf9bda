#!/usr/bin/env python3
"""Prints the reference table embedded in test/temperature.test.ts: [nu, x, ln I_nu(x), I_{nu+1}(x)/I_nu(x)]
computed with mpmath at 40 significant digits, and the exact-calibration ε for n = 100.
Used once to make the test's constants; the tests themselves do not need Python."""
import mpmath as mp

mp.mp.dps = 40
for nu in [0, 0.5, 1, 1.5, 7, 20, 39.5, 40, 63, 383, 8191]:
    for x in [0.01, 1, 18.5, 135, 3999, 4001, 1e5]:
        i0 = mp.besseli(nu, x, maxterms=10**6)
        i1 = mp.besseli(nu + 1, x, maxterms=10**6)
        print("  [%r, %r, %r, %r]," % (nu, x, float(mp.log(i0)), float(i1 / i0)))


def kl(kappa, d):
    nu = mp.mpf(d) / 2 - 1
    k = mp.mpf(kappa)
    a = mp.besseli(nu + 1, k) / mp.besseli(nu, k)
    return k * a - (nu * mp.log(2 / k) + mp.loggamma(mp.mpf(d) / 2) + mp.log(mp.besseli(nu, k)))


for d, guess in [(3, 0.0074), (16, 0.054), (768, 0.0118), (4096, 0.0051), (16384, 0.0026)]:
    t = mp.findroot(lambda t: kl(1 / mp.exp(t), d) - mp.log(100), mp.log(guess))
    print(d, mp.nstr(mp.exp(t), 12))

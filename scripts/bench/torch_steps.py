"""Bench helper (not part of glossa): glossa's training steps written in PyTorch, timed on CPU.

Usage: python3 torch_steps.py emergent  BATCH L C HIDDEN EMBED ATOMS ROLES
       python3 torch_steps.py seq2seq   BATCH SRC_LEN TGT_LEN SRC_VOCAB TGT_VOCAB WIDTH
Prints one JSON line: {"wall_ms": mean wall per step, "cpu_ms": mean process CPU per step,
"threads": torch threads}. Threads: GLOSSA_TORCH_THREADS (default: all cores).
emergent: sender GRU (meaning -> h0, start embedding, L steps, Gumbel-max sampling), receiver GRU
over the L one-hot symbols, per-role cross-entropy, REINFORCE with a baseline and an entropy bonus,
Adam: one step = forward, backward, update, as src/experiments/emergent/trainer.ts does.
seq2seq: nn.Transformer (2 encoder + 1 decoder layers, 4 heads, FF 4x, dropout 0.1), embeddings and
learned positions, cross-entropy, Adam.
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("GLOSSA_TORCH_THREADS", os.cpu_count() or 1)))
torch.manual_seed(1)


class Agents(nn.Module):
    def __init__(self, atoms, L, C, H, E):
        super().__init__()
        M = sum(atoms)
        self.atoms, self.L, self.C = atoms, L, C
        self.meaning = nn.Linear(M, H)
        self.start = nn.Parameter(torch.randn(1, E))
        self.s_embed = nn.Embedding(C, E)
        self.s_gru = nn.GRUCell(E, H)
        self.s_out = nn.Linear(H, C)
        self.r_embed = nn.Embedding(C, E)
        self.r_gru = nn.GRUCell(E, H)
        self.r_out = nn.Linear(H, M)

    def forward(self, x):
        B = x.shape[0]
        h = self.meaning(x)
        inp = self.start.expand(B, -1)
        symbols, log_prob, entropy = [], 0, 0
        for _ in range(self.L):
            h = self.s_gru(inp, h)
            logits = self.s_out(h)
            logp = F.log_softmax(logits, dim=1)
            entropy = entropy - (logp.exp() * logp).sum(1)
            gumbel = -torch.log(-torch.log(torch.rand_like(logits).clamp_min(1e-10)))
            choice = (logits.detach() + gumbel).argmax(1)
            log_prob = log_prob + logp.gather(1, choice[:, None])[:, 0]
            symbols.append(choice)
            inp = self.s_embed(choice)
        hr = torch.zeros_like(h)
        for s in symbols:
            hr = self.r_gru(self.r_embed(s), hr)
        role_logits = self.r_out(hr).split(self.atoms, dim=1)
        logp_roles = torch.cat([F.log_softmax(p, dim=1) for p in role_logits], dim=1)
        return log_prob, entropy / self.L, logp_roles


def emergent(batch, L, C, H, E, atoms_per_role, roles):
    atoms = [atoms_per_role] * roles
    model = Agents(atoms, L, C, H, E)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.zeros(batch, sum(atoms))
    for r in range(roles):
        x[torch.arange(batch), r * atoms_per_role + torch.randint(atoms_per_role, (batch,))] = 1
    baseline = [0.0]

    def step():
        log_prob, entropy, logp_roles = model(x)
        ce = -(x * logp_roles).sum(1)
        advantage = ce.detach() - baseline[0]
        sender_loss = (advantage * log_prob).mean() - 0.5 * entropy.mean()
        receiver_loss = ce.mean()
        opt.zero_grad()
        (receiver_loss + sender_loss).backward()
        opt.step()
        baseline[0] = float(receiver_loss)

    return step


class Seq2seq(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, width, src_len, tgt_len):
        super().__init__()
        self.src_embed = nn.Embedding(src_vocab, width)
        self.tgt_embed = nn.Embedding(tgt_vocab, width)
        self.src_pos = nn.Parameter(torch.randn(src_len, width) * 0.02)
        self.tgt_pos = nn.Parameter(torch.randn(tgt_len, width) * 0.02)
        self.transformer = nn.Transformer(width, 4, 2, 1, 4 * width, 0.1, batch_first=True)
        self.out = nn.Linear(width, tgt_vocab)

    def forward(self, src, tgt_in):
        T = tgt_in.shape[1]
        mask = self.transformer.generate_square_subsequent_mask(T)
        h = self.transformer(
            self.src_embed(src) + self.src_pos[: src.shape[1]],
            self.tgt_embed(tgt_in) + self.tgt_pos[:T],
            tgt_mask=mask,
        )
        return self.out(h)


def seq2seq(batch, src_len, tgt_len, src_vocab, tgt_vocab, width):
    model = Seq2seq(src_vocab, tgt_vocab, width, src_len, tgt_len)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    src = torch.randint(src_vocab, (batch, src_len))
    tgt = torch.randint(tgt_vocab, (batch, tgt_len + 1))

    def step():
        logits = model(src, tgt[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, tgt_vocab), tgt[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


kind, *numbers = sys.argv[1:]
step = (emergent if kind == "emergent" else seq2seq)(*map(int, numbers))
step()  # warm-up
repeats = 2 if kind == "emergent" else 10
wall0, cpu0 = time.perf_counter(), time.process_time()
for _ in range(repeats):
    step()
wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
print(json.dumps({"wall_ms": 1000 * wall / repeats, "cpu_ms": 1000 * cpu / repeats, "threads": torch.get_num_threads()}))

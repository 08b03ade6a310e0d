#!/usr/bin/python3
"""Writes small, valid seed files for the fuzz targets into OUT/<target>/.

Real checkpoints (../shared, tests/data) are ~1 MB: a mutation then rarely
reaches the code behind the header, and libFuzzer mutates big inputs slowly.
These seeds describe one tiny Llama (D 8, F 16, 1 layer, 2 heads, 1 KV head,
vocabulary 16, context 8; the shape tests/fuzz/fuzz_safetensors.cpp and
fuzz_hf_config.cpp assume) in every container, so mutations start from files
that load. Only the standard library: run with any python3.
Usage: make_seeds.py OUT
"""
import json, os, struct, sys, zipfile, io

D, F, L, H, KV, V, CTX = 8, 16, 1, 2, 1, 16, 8
HD = D // H

def zeros(n):
    return struct.pack('<%df' % n, *[0.01 * ((i % 7) - 3) for i in range(n)])

def llama_tensors():
    """(hf name, gguf name, shape) in HF order."""
    t = [('model.embed_tokens.weight', 'token_embd.weight', [V, D])]
    for l in range(L):
        p, g = 'model.layers.%d.' % l, 'blk.%d.' % l
        t += [(p + 'input_layernorm.weight', g + 'attn_norm.weight', [D]),
              (p + 'self_attn.q_proj.weight', g + 'attn_q.weight', [H * HD, D]),
              (p + 'self_attn.k_proj.weight', g + 'attn_k.weight', [KV * HD, D]),
              (p + 'self_attn.v_proj.weight', g + 'attn_v.weight', [KV * HD, D]),
              (p + 'self_attn.o_proj.weight', g + 'attn_output.weight', [D, H * HD]),
              (p + 'post_attention_layernorm.weight', g + 'ffn_norm.weight', [D]),
              (p + 'mlp.gate_proj.weight', g + 'ffn_gate.weight', [F, D]),
              (p + 'mlp.up_proj.weight', g + 'ffn_up.weight', [F, D]),
              (p + 'mlp.down_proj.weight', g + 'ffn_down.weight', [D, F])]
    t.append(('model.norm.weight', 'output_norm.weight', [D]))
    return t

def numel(shape):
    n = 1
    for d in shape: n *= d
    return n

def llama2c(version):
    if version == 0:
        out = struct.pack('<7i', D, F, L, H, KV, V, CTX)
        for n in [V * D, L * D, L * D * D, L * KV * HD * D, L * KV * HD * D, L * D * D, L * D,
                  L * F * D, L * D * F, L * F * D, D, CTX * HD // 2, CTX * HD // 2]:
            out += zeros(n)
        return out
    group = 8
    head = struct.pack('<Ii7iB', 0x616b3432, version, D, F, L, H, KV, V, CTX, 1)
    if version == 2: head += struct.pack('<i', group)
    out = head + b'\0' * (256 - len(head))
    out += zeros(L * D) + zeros(L * D) + zeros(D)
    mats = [V * D, L * D * D, L * KV * HD * D, L * KV * HD * D, L * D * D, L * F * D, L * D * F, L * F * D]
    for n in mats:
        if version == 1:
            out += zeros(n)
        else:
            out += bytes((i * 37) % 256 for i in range(n)) + zeros(n // group)
    return out

def safetensors(dtype='F32'):
    header, data, off = {}, b'', 0
    for hf, _, shape in llama_tensors():
        n = numel(shape) * 4
        header[hf] = {'dtype': dtype, 'shape': shape, 'data_offsets': [off, off + n]}
        data += zeros(numel(shape)); off += n
    header['__metadata__'] = {'format': 'pt', 'step': '100'}
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    return struct.pack('<Q', len(h)) + h + data

def gguf():
    def s(x):
        x = x.encode(); return struct.pack('<Q', len(x)) + x
    kv = []
    def put(key, typ, payload): kv.append(s(key) + struct.pack('<I', typ) + payload)
    put('general.architecture', 8, s('llama'))
    put('general.alignment', 4, struct.pack('<I', 32))
    for k, v in [('context_length', CTX), ('embedding_length', D), ('block_count', L),
                 ('feed_forward_length', F), ('attention.head_count', H), ('attention.head_count_kv', KV),
                 ('rope.dimension_count', HD)]:
        put('llama.' + k, 4, struct.pack('<I', v))
    put('llama.attention.layer_norm_rms_epsilon', 6, struct.pack('<f', 1e-5))
    put('tokenizer.ggml.model', 8, s('llama'))
    toks = ['<unk>', '<s>', '</s>', '<0x0A>', '\u2581', 'a', 'b', 'ab', '\u2581a', 'c', '\u2581b', 'h', 'e', 'l', 'o', '\u2581hello']
    put('tokenizer.ggml.tokens', 9, struct.pack('<IQ', 8, V) + b''.join(s(t) for t in toks))
    put('tokenizer.ggml.scores', 9, struct.pack('<IQ', 6, V) + struct.pack('<%df' % V, *[-float(i) for i in range(V)]))
    put('tokenizer.ggml.token_type', 9, struct.pack('<IQ', 5, V) + struct.pack('<%di' % V, 2, 3, 3, 6, *([1] * (V - 4))))
    put('tokenizer.ggml.bos_token_id', 4, struct.pack('<I', 1))
    put('tokenizer.ggml.eos_token_id', 4, struct.pack('<I', 2))
    infos, data = [], b''
    for i, (_, g, shape) in enumerate(llama_tensors()):
        q8 = g.endswith('ffn_up.weight')  # one Q8_0 tensor: blocks of 32 int8 + fp16 scale
        data += b'\0' * (-len(data) % 32)
        infos.append(s(g) + struct.pack('<I', len(shape)) + struct.pack('<%dQ' % len(shape), *reversed(shape)) +
                     struct.pack('<IQ', 8 if q8 else 0, len(data)))
        if q8:
            for _ in range(numel(shape) // 32): data += struct.pack('<e', 0.01) + bytes(range(32))
        else:
            data += zeros(numel(shape))
    out = b'GGUF' + struct.pack('<IQQ', 3, len(infos), len(kv)) + b''.join(kv) + b''.join(infos)
    out += b'\0' * (-len(out) % 32)
    return out + data

def llama2c_tokenizer():
    toks = [b'<unk>', b'\n<s>\n', b'\n</s>\n'] + [('<0x%02X>' % i).encode() for i in range(256)] + \
           [b' ', b'e', b' t', b'he', b' the', b'a', b'n', b'd', b' and', b'o', b'nce', b' once']
    toks += [b'x%d' % i for i in range(512 - len(toks))]
    out = struct.pack('<i', max(len(t) for t in toks))
    for i, t in enumerate(toks): out += struct.pack('<fi', -float(i), len(t)) + t
    return out

def hf_configs():
    sep = b'\n#----#\n'
    cfg = {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'hidden_size': D, 'intermediate_size': F,
           'num_hidden_layers': L, 'num_attention_heads': H, 'num_key_value_heads': KV, 'vocab_size': V,
           'max_position_embeddings': CTX, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'hidden_act': 'silu',
           'tie_word_embeddings': True, 'rope_scaling': None}
    gen = {'bos_token_id': 1, 'eos_token_id': 2, 'temperature': 0.7, 'top_p': 0.9, 'top_k': 40, 'do_sample': True}
    tok = {'bos_token': '<s>', 'eos_token': '</s>', 'chat_template': "{% for m in messages %}{{ m['content'] }}{% endfor %}"}
    index = {'metadata': {'total_size': 0}, 'weight_map': {'model.norm.weight': 'model.safetensors'}}
    gpt2 = {'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'n_embd': D, 'n_head': H, 'n_layer': L,
            'n_positions': CTX, 'vocab_size': V, 'layer_norm_epsilon': 1e-5, 'activation_function': 'gelu_new'}
    j = lambda o: json.dumps(o, indent=1).encode()
    return {'llama_all.txt': sep.join([j(cfg), j(gen), j(tok), j(index)]),
            'llama_config_only.txt': j(cfg),
            'llama_gen.txt': sep.join([j(cfg), j(gen)]),
            'gpt2.txt': sep.join([j(gpt2), j(gen)])}

def pickle_seeds():
    import pickle, collections
    seeds = {}
    seeds['dict.pkl'] = pickle.dumps({'vocab_size': 16, 'stoi': {'a': 0, 'b': 1}, 'itos': {0: 'a', 1: 'b'},
                                      'f': 1.5, 'neg': -3, 'big': 2 ** 70, 'b': True, 'n': None, 't': (1, 2),
                                      'by': b'\x00\x01', 's': {1, 2}, 'fs': frozenset([3])}, protocol=2)
    seeds['ordered.pkl'] = pickle.dumps(collections.OrderedDict(a=[1, 2, 3], b='x' * 300), protocol=4)
    seeds['proto5.pkl'] = pickle.dumps({'model_args': {'dim': 8, 'n_layers': 1}, 'iter_num': 5}, protocol=5)
    return seeds

def torch_zip():
    # A torch.save-style zip: archive/data.pkl (a dict of one 2x2 float tensor
    # through _rebuild_tensor_v2 and a BINPERSID storage), data/0, byteorder.
    pkl = (b'\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01ctorch._utils\n_rebuild_tensor_v2\nq\x02'
           b'((X\x07\x00\x00\x00storageq\x03ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x000q\x05X\x03\x00\x00\x00cpuq\x06K\x04tq\x07'
           b'QK\x00K\x02K\x02\x86q\x08K\x02K\x01\x86q\tc__builtin__\nset\nq\n]q\x0b\x85q\x0cRq\rtq\x0eRq\x0fs.')
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', pkl)
        z.writestr('archive/byteorder', b'little')
        z.writestr('archive/data/0', zeros(4))
        z.writestr('archive/version', b'3\n')
    return b.getvalue()

def http_requests():
    """Request bodies of waypoint-server's endpoints, every field they read."""
    sampling = {'model': 'stories260K', 'max_tokens': 8, 'temperature': 0.7, 'top_p': 0.9, 'top_k': 40,
                'min_p': 0.05, 'repeat_penalty': 1.1, 'presence_penalty': 0.5, 'frequency_penalty': -0.5,
                'stop': ['\n', 'END'], 'seed': -3, 'n': 2, 'stream': True,
                'stream_options': {'include_usage': True}, 'user': 'u1'}
    return {
        'completion_min.json': {'prompt': 'Once upon a time'},
        'completion_full.json': dict(sampling, prompt=['a', 'b'], logprobs=2, echo=True, best_of=1, suffix=''),
        'completion_float_ints.json': {'prompt': 'x', 'max_tokens': 5.0, 'n': 1, 'seed': 18446744073709551615},
        'chat_min.json': {'messages': [{'role': 'user', 'content': 'Hi'}]},
        'chat_full.json': dict(sampling, max_completion_tokens=16, logprobs=True, top_logprobs=3, tools=[],
                               response_format={'type': 'text'},
                               messages=[{'role': 'developer', 'content': 'Be brief.'},
                                         {'role': 'user', 'content': [{'type': 'text', 'text': 'Hi '},
                                                                      {'type': 'text', 'text': 'there'}]},
                                         {'role': 'assistant', 'content': None},
                                         {'role': 'tool', 'content': 'ok'}]),
        'generate_full.json': {'prompt': 'Once', 'max_new_tokens': 16, 'temperature': 0.8, 'top_k': 5,
                               'top_p': 0.95, 'do_sample': True, 'seed': 42},
    }

def main():
    out = sys.argv[1]
    def w(target, name, data):
        os.makedirs(os.path.join(out, target), exist_ok=True)
        with open(os.path.join(out, target, name), 'wb') as f: f.write(data)
    for v in (0, 1, 2): w('llama2c_header', 'tiny_v%d.bin' % v, llama2c(v))
    w('safetensors', 'tiny.safetensors', safetensors())
    w('gguf', 'tiny.gguf', gguf())
    w('llama2c_tokenizer', 'tok512_like.bin', llama2c_tokenizer())
    for name, data in hf_configs().items(): w('hf_config', name, data)
    for name, data in pickle_seeds().items(): w('unpickler', name, data)
    w('torch_zip', 'tiny_state_dict.pt', torch_zip())
    sep = b'\n#----#\n'
    vocab = {t: i for i, t in enumerate(['a', 'b', 'c', 'ab', 'Ġ', 'Ġa', 'Ġab', 'Ċ', '<|endoftext|>', 'h', 'e', 'l', 'o', 'he', 'll', 'hell'])}
    merges = b'#version: 0.2\na b\n\xc4\xa0 a\n\xc4\xa0a b\nh e\nl l\nhe ll\n'
    w('bpe_vocab', 'vocab_merges.txt', json.dumps(vocab).encode() + sep + merges)
    tj = {'version': '1.0', 'added_tokens': [{'id': 8, 'content': '<|endoftext|>', 'special': True}],
          'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False},
          'model': {'type': 'BPE', 'vocab': vocab, 'merges': ['a b', ['\u0120', 'a'], '\u0120a b', 'h e', 'l l', 'he ll']}}
    w('bpe_vocab', 'tokenizer.json', json.dumps(tj).encode())
    for name, body in http_requests().items(): w('http_request', name, json.dumps(body).encode())

if __name__ == '__main__':
    main()

/**
 * `mentor generate`: one prompt, its reference images and a seed → PNG file(s) with the generation's
 * parameters in text chunks. Progress goes to stderr, one line per image row; the written paths go to
 * stdout.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SamplingParams } from '../../preload/contract';
import { maxVariations } from '../../preload/contract';
import { EngineError } from '../engine/errors';
import { generate } from '../engine/generate/generate';
import { inspectImage } from '../engine/images/load-reference';
import { metadataText } from '../engine/png/generation-metadata';
import { encodePng } from '../engine/png/png-encoder';
import { openRuntime } from '../engine/runtime/open-runtime';
import type { ReferenceInput } from '../engine/types';
import { parseSeed } from '../engine/uniforms';
import type { FlagSpecs } from './args';
import { numberFlag, parseArgs, requiredFlag, stringFlag, UsageError } from './args';
import type { CliContext } from './context';
import { outPaths } from './out-paths';

declare const __STUDIO_VERSION__: string;

export const generateUsage = `usage: mentor generate --bundle DIR --prompt TEXT --out FILE.png [options]
  --bundle DIR        the model bundle folder (manifest.json, graphs, tokenizer.json)
  --image FILE        a reference image; repeat for several, in the order of the <image> markers
  --prompt TEXT       the prompt, with one <image> marker per reference image
  --out FILE.png      where to write; with --count > 1, FILE-1.png, FILE-2.png… or the {n} placeholder
  --seed N            unsigned 64-bit decimal seed (default: random, printed)
  --count N           variations to generate in one batch (1-${maxVariations}, default 1)
  --cfg X             classifier-free guidance scale (default: the bundle's)
  --temperature X     sampling temperature, 0 = greedy (default: the bundle's)
  --top-k N           keep the N most likely tokens, 0 = off (default: the bundle's)
  --top-p X           nucleus filter in (0, 1], 1 = off (default: the bundle's)
  --device cpu|cuda   where to run (default cpu)
  --threads N         CPU threads for onnxruntime (default: one per core)`;

const specs: FlagSpecs = {
  bundle: { type: 'string' },
  image: { type: 'string', repeat: true },
  prompt: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  count: { type: 'string' },
  cfg: { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean' },
};

type GenerateOptions = {
  bundle: string;
  images: string[];
  prompt: string;
  out: string;
  seed: bigint;
  seedWasRandom: boolean;
  count: number;
  params: Partial<SamplingParams>;
  device: 'cpu' | 'cuda';
  threads: number | undefined;
};

export function parseGenerateArgs(argv: readonly string[]): GenerateOptions | 'help' {
  const args = parseArgs(argv, specs);
  if (args.flags.has('help')) {
    return 'help';
  }
  if (args.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])} (a prompt goes after --prompt)`);
  }
  const bundle = requiredFlag(args, 'bundle', 'the model bundle folder');
  const prompt = requiredFlag(args, 'prompt', 'the text to generate from');
  const out = requiredFlag(args, 'out', 'the PNG file to write');
  const seedText = stringFlag(args, 'seed');
  let seed: bigint;
  if (seedText === undefined) {
    seed = randomBytes(8).readBigUInt64BE();
  } else {
    try {
      seed = parseSeed(seedText);
    } catch {
      throw new UsageError(`--seed must be a whole number from 0 to 18446744073709551615, got ${JSON.stringify(seedText)}`);
    }
  }
  const device = stringFlag(args, 'device') ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') {
    throw new UsageError(`--device must be cpu or cuda, got ${JSON.stringify(device)}`);
  }
  const params: Partial<SamplingParams> = {};
  const cfg = numberFlag(args, 'cfg', { min: 0, max: 50 });
  const temperature = numberFlag(args, 'temperature', { min: 0, max: 5 });
  const topK = numberFlag(args, 'top-k', { min: 0, integer: true });
  const topP = numberFlag(args, 'top-p', { min: 0, minExclusive: true, max: 1 });
  if (cfg !== undefined) {
    params.cfgScale = cfg;
  }
  if (temperature !== undefined) {
    params.temperature = temperature;
  }
  if (topK !== undefined) {
    params.topK = topK;
  }
  if (topP !== undefined) {
    params.topP = topP;
  }
  return {
    bundle,
    images: args.values.get('image') ?? [],
    prompt,
    out,
    seed,
    seedWasRandom: seedText === undefined,
    count: numberFlag(args, 'count', { min: 1, max: maxVariations, integer: true }) ?? 1,
    params,
    device,
    threads: numberFlag(args, 'threads', { min: 1, max: 1024, integer: true }),
  };
}

async function readReferences(files: string[]): Promise<ReferenceInput[]> {
  return Promise.all(
    files.map(async (file) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await fs.promises.readFile(file));
      } catch (error) {
        throw new EngineError('image_invalid', `${file}: ${fileProblem(error)}`);
      }
      // Decodes the whole image now: a damaged file is refused before the bundle is loaded.
      await inspectImage(bytes, file);
      return { name: file, bytes };
    }),
  );
}

function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return 'no such file';
  }
  if (code === 'EISDIR') {
    return 'is a folder, not an image file';
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return 'permission denied';
  }
  return error instanceof Error ? error.message : String(error);
}

function checkOutFolders(paths: string[]): void {
  for (const folder of new Set(paths.map((file) => path.dirname(path.resolve(file))))) {
    let isFolder = false;
    try {
      isFolder = fs.statSync(folder).isDirectory();
    } catch {
      // reported below
    }
    if (!isFolder) {
      throw new UsageError(`--out: the folder ${folder} does not exist`);
    }
  }
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export async function runGenerate(argv: readonly string[], context: CliContext): Promise<number> {
  const options = parseGenerateArgs(argv);
  if (options === 'help') {
    context.stdout(generateUsage);
    return 0;
  }
  const files = outPaths(options.out, options.count);
  checkOutFolders(files);
  const references = await readReferences(options.images);
  const runtime = await openRuntime(options.bundle, { device: options.device, threads: options.threads });
  try {
    if (runtime.deviceNote !== null) {
      context.stderr(`note: ${runtime.deviceNote}`);
    }
    const { manifest } = runtime.bundle;
    const params: SamplingParams = { ...manifest.sampling, ...options.params };
    let seedShown = false;
    const result = await generate(
      runtime,
      { prompt: options.prompt, references, seed: options.seed, count: options.count, params },
      {
        signal: context.signal,
        previewIntervalMs: Infinity,
        onProgress: (p) => {
          // A random seed is told once the generation is under way (an error before it is one line).
          if (options.seedWasRandom && !seedShown) {
            seedShown = true;
            context.stderr(`seed ${options.seed} (random)`);
          }
          context.stderr(`row ${p.row + 1}/${p.rows}  ${p.tokensPerSecond.toFixed(1)} tok/s  eta ${seconds(p.etaMs)}`);
        },
      },
    );
    const referenceHashes = references.map((reference) => sha256Hex(reference.bytes));
    result.images.forEach((image, variation) => {
      const text = metadataText({
        prompt: options.prompt,
        seed: options.seed.toString(),
        params,
        tokens: manifest.config.grid * manifest.config.grid,
        variation,
        count: options.count,
        width: image.width,
        height: image.height,
        imageSize: manifest.config.imageSize,
        model: { name: manifest.name, bundleSha256: runtime.bundle.bundleSha256 },
        references: referenceHashes,
        engineVersion: __STUDIO_VERSION__,
      });
      const file = files[variation]!;
      fs.writeFileSync(file, encodePng(image, text));
      context.stdout(file);
    });
    const t = result.timings;
    context.stderr(
      `done in ${seconds(t.total ?? 0)} (decode ${seconds(t.decode ?? 0)}, seed ${options.seed}${options.count > 1 ? `, ${options.count} variations` : ''})`,
    );
    return 0;
  } finally {
    await runtime.close();
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

import * as ort from 'onnxruntime-node';

/** Counts the bytes that cross the JS ↔ onnxruntime boundary (inputs in, outputs out). */
export class BoundaryMeter {
  bytes = 0;

  async run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    for (const tensor of Object.values(feeds)) {
      this.bytes += byteLength(tensor);
    }
    const outputs = await session.run(feeds);
    for (const tensor of Object.values(outputs)) {
      this.bytes += byteLength(tensor);
    }
    return outputs;
  }
}

function byteLength(tensor: ort.Tensor): number {
  const data = tensor.data as ArrayBufferView | string[];
  return ArrayBuffer.isView(data) ? data.byteLength : 0;
}

export function scalarFloat(value: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.of(value), []);
}

export function scalarInt(value: number): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.of(BigInt(value)), []);
}

/** `copies` back-to-back copies of `row` (a batch of identical samples). */
export function repeatRows<T extends Float32Array | BigInt64Array>(row: T, copies: number): T {
  const out = new (row.constructor as new (length: number) => T)(row.length * copies);
  for (let i = 0; i < copies; i++) {
    out.set(row as never, i * row.length);
  }
  return out;
}

/** An output tensor by name, or a clear error if a graph broke its contract. */
export function output(outputs: ort.InferenceSession.ReturnType, name: string, graph: string): ort.Tensor {
  const tensor = outputs[name];
  if (tensor === undefined) {
    throw new Error(`${graph} returned no '${name}' output`);
  }
  return tensor;
}

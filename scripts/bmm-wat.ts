// The one way bmm.wat becomes bytes (used by the build script and by the test that checks them).
import wabtInit from 'wabt';

export async function compileBmmWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('bmm.wat', source, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

;; Batched f32 matrix product for the trainer's attention on wasm (see ./index.ts for why):
;;   C[t] = A[t] @ B[t]   for t < batch;   A[t]: m x k, B[t]: k x n, C[t]: m x n, all row-major.
;; a, b and c are byte offsets into this module's memory. Output rows are computed four at a time
;; in blocks of 4 x 4 (four f32x4 accumulators held in locals: each B vector loaded once serves four
;; rows); a last partial block of rows is done one row at a time, the last n mod 4 columns without SIMD.
(module
  (memory (export "memory") 1)
  (func (export "bmm") (param $a i32) (param $b i32) (param $c i32) (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (local $t i32) (local $i i32) (local $j i32)
    (local $sa i32) (local $sb i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $aEnd i32)
    (local $pb i32) (local $pc i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $bv v128)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32) (local $bs f32)
    ;; row strides in bytes: A rows are k floats, B and C rows n floats
    (local.set $sa (i32.shl (local.get $k) (i32.const 2)))
    (local.set $sb (i32.shl (local.get $n) (i32.const 2)))
    (block $batchesDone
      (loop $batches
        (br_if $batchesDone (i32.ge_u (local.get $t) (local.get $batch)))
        (local.set $i (i32.const 0))
        ;; rows i .. i+3
        (block $rows4Done
          (loop $rows4
            (br_if $rows4Done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
            (local.set $j (i32.const 0))
            (block $cols4Done
              (loop $cols4
                (br_if $cols4Done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
                (local.set $acc0 (v128.const i32x4 0 0 0 0))
                (local.set $acc1 (v128.const i32x4 0 0 0 0))
                (local.set $acc2 (v128.const i32x4 0 0 0 0))
                (local.set $acc3 (v128.const i32x4 0 0 0 0))
                (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
                (local.set $pa1 (i32.add (local.get $pa0) (local.get $sa)))
                (local.set $pa2 (i32.add (local.get $pa1) (local.get $sa)))
                (local.set $pa3 (i32.add (local.get $pa2) (local.get $sa)))
                (local.set $aEnd (local.get $pa1))
                (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
                (block $kDone
                  (loop $ks
                    (br_if $kDone (i32.ge_u (local.get $pa0) (local.get $aEnd)))
                    (local.set $bv (v128.load (local.get $pb)))
                    (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (f32x4.splat (f32.load (local.get $pa0))) (local.get $bv))))
                    (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (f32x4.splat (f32.load (local.get $pa1))) (local.get $bv))))
                    (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (f32x4.splat (f32.load (local.get $pa2))) (local.get $bv))))
                    (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (f32x4.splat (f32.load (local.get $pa3))) (local.get $bv))))
                    (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                    (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
                    (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
                    (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
                    (br $ks)))
                (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $sb)) (i32.shl (local.get $j) (i32.const 2)))))
                (v128.store (local.get $pc) (local.get $acc0))
                (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
                (v128.store (local.get $pc) (local.get $acc1))
                (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
                (v128.store (local.get $pc) (local.get $acc2))
                (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
                (v128.store (local.get $pc) (local.get $acc3))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $cols4)))
            ;; the last n mod 4 columns of these four rows
            (block $cols1Done
              (loop $cols1
                (br_if $cols1Done (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $s0 (f32.const 0))
                (local.set $s1 (f32.const 0))
                (local.set $s2 (f32.const 0))
                (local.set $s3 (f32.const 0))
                (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
                (local.set $pa1 (i32.add (local.get $pa0) (local.get $sa)))
                (local.set $pa2 (i32.add (local.get $pa1) (local.get $sa)))
                (local.set $pa3 (i32.add (local.get $pa2) (local.get $sa)))
                (local.set $aEnd (local.get $pa1))
                (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
                (block $k1Done
                  (loop $k1
                    (br_if $k1Done (i32.ge_u (local.get $pa0) (local.get $aEnd)))
                    (local.set $bs (f32.load (local.get $pb)))
                    (local.set $s0 (f32.add (local.get $s0) (f32.mul (f32.load (local.get $pa0)) (local.get $bs))))
                    (local.set $s1 (f32.add (local.get $s1) (f32.mul (f32.load (local.get $pa1)) (local.get $bs))))
                    (local.set $s2 (f32.add (local.get $s2) (f32.mul (f32.load (local.get $pa2)) (local.get $bs))))
                    (local.set $s3 (f32.add (local.get $s3) (f32.mul (f32.load (local.get $pa3)) (local.get $bs))))
                    (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                    (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
                    (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
                    (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
                    (br $k1)))
                (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $sb)) (i32.shl (local.get $j) (i32.const 2)))))
                (f32.store (local.get $pc) (local.get $s0))
                (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
                (f32.store (local.get $pc) (local.get $s1))
                (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
                (f32.store (local.get $pc) (local.get $s2))
                (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
                (f32.store (local.get $pc) (local.get $s3))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $cols1)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows4)))
        ;; the last m mod 4 rows, one at a time
        (block $rows1Done
          (loop $rows1
            (br_if $rows1Done (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $j (i32.const 0))
            (block $r1cols4Done
              (loop $r1cols4
                (br_if $r1cols4Done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
                (local.set $acc0 (v128.const i32x4 0 0 0 0))
                (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
                (local.set $aEnd (i32.add (local.get $pa0) (local.get $sa)))
                (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
                (block $r1kDone
                  (loop $r1k
                    (br_if $r1kDone (i32.ge_u (local.get $pa0) (local.get $aEnd)))
                    (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (f32x4.splat (f32.load (local.get $pa0))) (v128.load (local.get $pb)))))
                    (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
                    (br $r1k)))
                (v128.store (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $sb)) (i32.shl (local.get $j) (i32.const 2)))) (local.get $acc0))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $r1cols4)))
            (block $r1cols1Done
              (loop $r1cols1
                (br_if $r1cols1Done (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $s0 (f32.const 0))
                (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
                (local.set $aEnd (i32.add (local.get $pa0) (local.get $sa)))
                (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
                (block $r1k1Done
                  (loop $r1k1
                    (br_if $r1k1Done (i32.ge_u (local.get $pa0) (local.get $aEnd)))
                    (local.set $s0 (f32.add (local.get $s0) (f32.mul (f32.load (local.get $pa0)) (f32.load (local.get $pb)))))
                    (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
                    (br $r1k1)))
                (f32.store (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $sb)) (i32.shl (local.get $j) (i32.const 2)))) (local.get $s0))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $r1cols1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows1)))
        ;; next product of the batch
        (local.set $a (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $sa))))
        (local.set $b (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $sb))))
        (local.set $c (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $sb))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $batches)))))

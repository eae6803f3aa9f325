package dev.arrakis.tools.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * A matrix kept as the product {@code A·B} of a tall factor {@code A [..., ldim, mdim]} and a wide factor
 * {@code B [..., mdim, rdim]}, as TransformerLens's {@code FactoredMatrix}: a head's OV circuit is
 * {@code W_V·W_O} ({@code d_model × d_head × d_model}), never materialised at d_model × d_model unless asked
 * ({@link #product()}). Leading axes (layers, heads) broadcast as in TransformerLens.
 *
 * <p>Products and the norm run on DJL arrays; the SVD and eigenvalues, which DJL's PyTorch engine does not offer, run
 * in double precision on EJML through the small inner dimension: {@code svd(A)}, {@code svd(B)}, then the SVD of
 * the {@code mdim × mdim} middle, exactly TransformerLens's algorithm. Every array a method returns, factors of a
 * returned matrix included, belongs to the manager given at {@link #of}; closing that manager frees them all.
 */
public final class FactoredMatrix {
    private final NDManager manager;
    private final NDArray a;
    private final NDArray b;
    private final Shape leading;

    /**
     * The singular value decomposition {@code A·B = U·diag(S)·Vᵀ} with {@code k = min(ldim, mdim, rdim)} values in
     * descending order. Each singular vector is defined up to its sign.
     *
     * @param u left singular vectors as columns, {@code [..., ldim, k]}
     * @param s singular values, {@code [..., k]}
     * @param v right singular vectors as columns, {@code [..., rdim, k]} (TransformerLens's {@code Vh})
     */
    public record Svd(NDArray u, NDArray s, NDArray v) {}

    /**
     * Eigenvalues of a square factored matrix, those of the small {@code B·A} ({@code mdim} of them; the others
     * are zero), ordered by descending modulus, a conjugate pair positive imaginary part first.
     *
     * @param real real parts, {@code [..., mdim]}
     * @param imaginary imaginary parts, {@code [..., mdim]}
     */
    public record Eigenvalues(NDArray real, NDArray imaginary) {}

    private FactoredMatrix(NDManager manager, NDArray a, NDArray b, Shape leading) {
        this.manager = manager;
        this.a = a;
        this.b = b;
        this.leading = leading;
    }

    /**
     * {@code A·B}, kept factored. The factors stay where they are (they may be a model's weights); what this matrix
     * computes goes to {@code manager}.
     *
     * @throws ArrakisException when A's last axis is not B's second last, or their leading axes do not broadcast
     */
    public static FactoredMatrix of(NDManager manager, NDArray a, NDArray b) {
        Shape aShape = a.getShape();
        Shape bShape = b.getShape();
        if (aShape.dimension() < 2 || bShape.dimension() < 2 || aShape.getLastDimension() != rows(bShape)) {
            throw new ArrakisException("a factored matrix A·B needs A [..., ldim, mdim] and B [..., mdim, rdim]; got A "
                    + aShape + " and B " + bShape);
        }
        Shape leading = broadcast(aShape.slice(0, aShape.dimension() - 2), bShape.slice(0, bShape.dimension() - 2),
                aShape, bShape);
        NDArray broadcastA = broadcastTo(manager, a, leading.addAll(aShape.slice(aShape.dimension() - 2)));
        NDArray broadcastB = broadcastTo(manager, b, leading.addAll(bShape.slice(bShape.dimension() - 2)));
        return new FactoredMatrix(manager, broadcastA, broadcastB, leading);
    }

    /** The left factor {@code [..., ldim, mdim]}. */
    public NDArray a() {
        return a;
    }

    /** The right factor {@code [..., mdim, rdim]}. */
    public NDArray b() {
        return b;
    }

    /** The manager that owns what this matrix computes. */
    public NDManager manager() {
        return manager;
    }

    /** The leading (batch) axes, e.g. {@code [layers, heads]}. */
    public Shape leadingShape() {
        return leading;
    }

    /** The shape of the product: the leading axes, then {@code ldim, rdim}. */
    public Shape shape() {
        return leading.addAll(new Shape(ldim(), rdim()));
    }

    public long ldim() {
        return rows(a.getShape());
    }

    public long mdim() {
        return a.getShape().getLastDimension();
    }

    public long rdim() {
        return b.getShape().getLastDimension();
    }

    /** {@code A·B} materialised: {@code [..., ldim, rdim]}, the one method that builds the full matrix. */
    public NDArray product() {
        return compute(work -> in(work, a).matMul(in(work, b)));
    }

    /**
     * {@code (A·B)·M} for {@code M [..., rdim, n]}, still factored through whichever inner dimension is smaller, as
     * TransformerLens does: {@code A·(B·M)} when {@code rdim > mdim}, else {@code (A·B)·M}.
     */
    public FactoredMatrix multiply(NDArray right) {
        requireMatrix(right, "right");
        if (rows(right.getShape()) != rdim()) {
            throw new ArrakisException("cannot multiply a factored matrix of shape " + shape() + " by " + right.getShape()
                    + ": its rows must equal the factored matrix's columns (" + rdim() + ")");
        }
        if (rdim() > mdim()) {
            return of(manager, a, compute(work -> in(work, b).matMul(in(work, right))));
        }
        return of(manager, product(), right);
    }

    /** {@code M·(A·B)} for {@code M [..., n, ldim]}: {@code (M·A)·B} when {@code ldim > mdim}, else {@code M·(A·B)}. */
    public FactoredMatrix leftMultiply(NDArray left) {
        requireMatrix(left, "left");
        if (left.getShape().getLastDimension() != ldim()) {
            throw new ArrakisException("cannot multiply " + left.getShape() + " by a factored matrix of shape " + shape()
                    + ": its columns must equal the factored matrix's rows (" + ldim() + ")");
        }
        if (ldim() > mdim()) {
            return of(manager, compute(work -> in(work, left).matMul(in(work, a))), b);
        }
        return of(manager, left, product());
    }

    /** {@code (A·B)·(C·D) = ((A·B)·C)·D}, never materialising either product unless an inner dimension is larger. */
    public FactoredMatrix multiply(FactoredMatrix right) {
        return multiply(right.a).multiply(right.b);
    }

    /** {@code (A·B)ᵀ = Bᵀ·Aᵀ}; K-composition reads the QK circuit transposed. */
    public FactoredMatrix transpose() {
        return of(manager, compute(work -> in(work, b).swapAxes(-1, -2)),
                compute(work -> in(work, a).swapAxes(-1, -2)));
    }

    /** {@code c·A·B}, scaling the left factor. */
    public FactoredMatrix scale(double factor) {
        return of(manager, compute(work -> in(work, a).mul((float) factor)), b);
    }

    /** The matrix at the given leading indices, e.g. {@code get(layer)} of {@code [layer, head, ...]}. */
    public FactoredMatrix get(long... index) {
        if (index.length > leading.dimension()) {
            throw new ArrakisException("index " + Arrays.toString(index) + " has more axes than the leading axes "
                    + leading + " of this factored matrix");
        }
        for (int axis = 0; axis < index.length; axis++) {
            if (index[axis] < 0 || index[axis] >= leading.get(axis)) {
                throw new ArrakisException("index " + index[axis] + " on leading axis " + axis + " is outside 0.."
                        + (leading.get(axis) - 1) + " (leading axes " + leading + ")");
            }
        }
        String selection = String.join(",", Arrays.stream(index).mapToObj(Long::toString).toList());
        return of(manager, compute(work -> in(work, a).get(selection)), compute(work -> in(work, b).get(selection)));
    }

    /**
     * The Frobenius norm of each matrix, {@code [...]}, through the inner dimension: {@code ‖A·B‖² = Σ (AᵀA) ⊙
     * (B·Bᵀ)}, in double precision. Equal to TransformerLens's {@code sqrt(Σ S²)} without an SVD.
     */
    public NDArray norm() {
        return compute(work -> {
            NDArray a64 = in(work, a).toType(DataType.FLOAT64, false);
            NDArray b64 = in(work, b).toType(DataType.FLOAT64, false);
            NDArray squared = gram(a64, true).mul(gram(b64, false)).sum(new int[] {-2, -1});
            return squared.maximum(0).sqrt().toType(DataType.FLOAT32, false);
        });
    }

    /** TransformerLens's SVD through the inner dimension (see the class comment), per leading index. */
    public Svd svd() {
        int ldim = (int) ldim();
        int mdim = (int) mdim();
        int rdim = (int) rdim();
        int k = Math.min(ldim, Math.min(mdim, rdim));
        int count = (int) leading.size();
        float[] aValues = read(work -> in(work, a));
        float[] bValues = read(work -> in(work, b));
        float[] u = new float[count * ldim * k];
        float[] s = new float[count * k];
        float[] v = new float[count * rdim * k];
        for (int i = 0; i < count; i++) {
            ThinSvd left = ThinSvd.of(matrix(aValues, i, ldim, mdim));
            ThinSvd right = ThinSvd.of(matrix(bValues, i, mdim, rdim));
            // diag(Sa)·Vaᵀ·Ub·diag(Sb): at most mdim × mdim, the only matrix whose SVD couples the two factors
            DMatrixRMaj middle = new DMatrixRMaj(left.v.numCols, right.u.numCols);
            CommonOps_DDRM.multTransA(left.v, right.u, middle);
            for (int row = 0; row < middle.numRows; row++) {
                for (int col = 0; col < middle.numCols; col++) {
                    middle.set(row, col, left.s[row] * middle.get(row, col) * right.s[col]);
                }
            }
            ThinSvd inner = ThinSvd.of(middle);
            DMatrixRMaj leftVectors = CommonOps_DDRM.mult(left.u, inner.u, null);
            DMatrixRMaj rightVectors = CommonOps_DDRM.mult(right.v, inner.v, null);
            copyColumns(leftVectors, k, u, i * ldim * k);
            copyColumns(rightVectors, k, v, i * rdim * k);
            for (int j = 0; j < k; j++) {
                s[i * k + j] = (float) inner.s[j];
            }
        }
        return new Svd(manager.create(u, leading.addAll(new Shape(ldim, k))), manager.create(s, leading.add(k)),
                manager.create(v, leading.addAll(new Shape(rdim, k))));
    }

    /**
     * The eigenvalues of a square factored matrix through {@code B·A} (if {@code B·A·x = λx} then
     * {@code A·B·(A·x) = λ·A·x}), per leading index.
     *
     * @throws ArrakisException when the matrix is not square
     */
    public Eigenvalues eigenvalues() {
        if (ldim() != rdim()) {
            throw new ArrakisException("eigenvalues need a square factored matrix; this one is " + shape());
        }
        int mdim = (int) mdim();
        int count = (int) leading.size();
        float[] inner = read(work -> in(work, b).toType(DataType.FLOAT64, false)
                .matMul(in(work, a).toType(DataType.FLOAT64, false)));
        float[] real = new float[count * mdim];
        float[] imaginary = new float[count * mdim];
        for (int i = 0; i < count; i++) {
            EigenDecomposition_F64<DMatrixRMaj> decomposition = DecompositionFactory_DDRM.eig(mdim, false);
            if (!decomposition.decompose(matrix(inner, i, mdim, mdim))) {
                throw new ArrakisException("eigenvalue decomposition did not converge for the matrix at leading index "
                        + i + " of " + leading);
            }
            Complex_F64[] values = new Complex_F64[mdim];
            for (int j = 0; j < mdim; j++) {
                values[j] = decomposition.getEigenvalue(j);
            }
            Arrays.sort(values, Comparator.comparingDouble(Complex_F64::getMagnitude).reversed()
                    .thenComparing(Comparator.comparingDouble((Complex_F64 value) -> value.imaginary).reversed()));
            for (int j = 0; j < mdim; j++) {
                real[i * mdim + j] = (float) values[j].real;
                imaginary[i * mdim + j] = (float) values[j].imaginary;
            }
        }
        Shape shape = leading.add(mdim);
        return new Eigenvalues(manager.create(real, shape), manager.create(imaginary, shape));
    }

    @Override
    public String toString() {
        return "FactoredMatrix" + shape() + " through " + mdim();
    }

    /** {@code XᵀX} ({@code transposeFirst}) or {@code X·Xᵀ} over the last two axes. */
    static NDArray gram(NDArray x, boolean transposeFirst) {
        return transposeFirst ? x.swapAxes(-1, -2).matMul(x) : x.matMul(x.swapAxes(-1, -2));
    }

    /**
     * Runs {@code body} in a scratch scope and keeps only its result, in this matrix's manager: every intermediate,
     * and every view of a factor owned elsewhere (a model weight), is freed on return.
     */
    NDArray compute(Function<NDManager, NDArray> body) {
        return kept(manager, body);
    }

    /** {@code body}'s result in {@code manager}, computed in a scratch sub-scope that is closed on return. */
    static NDArray kept(NDManager manager, Function<NDManager, NDArray> body) {
        try (NDManager work = manager.newSubManager()) {
            NDArray result = body.apply(work);
            result.attach(manager);
            return result;
        }
    }

    /** The values {@code body} computes, read into Java, with nothing left in any manager. */
    private float[] read(Function<NDManager, NDArray> body) {
        try (NDManager work = manager.newSubManager()) {
            return body.apply(work).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /**
     * A handle on {@code array}'s storage owned by {@code scope}: an op's result lives where its receiver lives, so
     * computing from this handle keeps results out of the array's own manager (which may be the model's).
     */
    static NDArray in(NDManager scope, NDArray array) {
        NDArray view = array.reshape(array.getShape());
        view.attach(scope);
        return view;
    }

    /** The second-last axis: a matrix's rows. */
    private static long rows(Shape shape) {
        return shape.get(shape.dimension() - 2);
    }

    private static void requireMatrix(NDArray matrix, String side) {
        if (matrix.getShape().dimension() < 2) {
            throw new ArrakisException("the " + side + " operand of a factored-matrix product must be a matrix "
                    + "[..., rows, columns]; got shape " + matrix.getShape() + " (reshape a vector to a column)");
        }
    }

    private static Shape broadcast(Shape left, Shape right, Shape aShape, Shape bShape) {
        int dimensions = Math.max(left.dimension(), right.dimension());
        long[] result = new long[dimensions];
        for (int i = 0; i < dimensions; i++) {
            long l = i < dimensions - left.dimension() ? 1 : left.get(i - (dimensions - left.dimension()));
            long r = i < dimensions - right.dimension() ? 1 : right.get(i - (dimensions - right.dimension()));
            if (l != r && l != 1 && r != 1) {
                throw new ArrakisException("the leading axes of A " + aShape + " and B " + bShape
                        + " do not broadcast");
            }
            result[i] = Math.max(l, r);
        }
        return new Shape(result);
    }

    private static NDArray broadcastTo(NDManager manager, NDArray factor, Shape shape) {
        if (factor.getShape().equals(shape)) {
            return factor;
        }
        try (NDManager work = manager.newSubManager()) {
            // materialised, so that later reshapes and reads see ordinary contiguous storage
            NDArray expanded = in(work, factor).broadcast(shape).duplicate();
            expanded.attach(manager);
            return expanded;
        }
    }

    private static DMatrixRMaj matrix(float[] values, int index, int rows, int columns) {
        DMatrixRMaj matrix = new DMatrixRMaj(rows, columns);
        int offset = index * rows * columns;
        for (int i = 0; i < rows * columns; i++) {
            matrix.data[i] = values[offset + i];
        }
        return matrix;
    }

    private static void copyColumns(DMatrixRMaj source, int columns, float[] target, int offset) {
        for (int row = 0; row < source.numRows; row++) {
            for (int col = 0; col < columns; col++) {
                target[offset + row * columns + col] = (float) source.get(row, col);
            }
        }
    }

    /** A compact SVD with singular values in descending order. */
    private record ThinSvd(DMatrixRMaj u, double[] s, DMatrixRMaj v) {
        static ThinSvd of(DMatrixRMaj matrix) {
            SingularValueDecomposition_F64<DMatrixRMaj> svd =
                    DecompositionFactory_DDRM.svd(matrix.numRows, matrix.numCols, true, true, true);
            if (!svd.decompose(matrix.copy())) {
                throw new ArrakisException("SVD did not converge on a " + matrix.numRows + "×" + matrix.numCols
                        + " factor");
            }
            DMatrixRMaj u = svd.getU(null, false);
            DMatrixRMaj w = svd.getW(null);
            DMatrixRMaj v = svd.getV(null, false);
            SingularOps_DDRM.descendingOrder(u, false, w, v, false);
            double[] s = new double[w.numCols];
            for (int i = 0; i < s.length; i++) {
                s[i] = w.get(i, i);
            }
            return new ThinSvd(u, s, v);
        }
    }
}

package golden.toy;

import dev.arrakis.annotations.Capture;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Run;
import dev.arrakis.hooks.Residual;
import dev.arrakis.model.TokenBatch;

@Experiment(config = "models/toy/config.json")
public class ToyProbe {

    @Input
    TokenBatch tokens() {
        return TokenBatch.of(new long[] {1, 2, 3});
    }

    @Run
    float lastResidual(@Capture(ToyHooks.L1_RESID_POST) Residual resid) {
        return resid.get(0, 0, 0);
    }
}

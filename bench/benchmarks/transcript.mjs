export default { title: 'transcript', goals: [], async run(ctx) { ctx.notMeasured('not written yet'); } };

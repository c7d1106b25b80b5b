export default { title: 'memory', goals: [], async run(ctx) { ctx.notMeasured('not written yet'); } };

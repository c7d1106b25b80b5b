export default { title: 'relocation', goals: [], async run(ctx) { ctx.notMeasured('not written yet'); } };
